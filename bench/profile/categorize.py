#!/usr/bin/env python3
"""Splits a `perf script` dump of the daemon into where a request's CPU goes.

Each sample is charged to the first category whose pattern matches a frame, walking from the leaf up:
the leaf-most match names the work that was running (SQLite called from the ledger is "ledger", a
futex wake from the ledger writer is "ledger" too). Reads perf script output on stdin, prints a
Markdown table of shares.
"""
import re
import sys

# Order matters only between categories that can match the same frame; leaf-most frame wins first.
CATEGORIES = [
    ("thread pool idle spinning", r"LowLevelLifoSemaphore|LowLevelSpinWaiter|do_sched_yield|__sched_yield"),
    ("circuit breaker", r"Cortex\.Llmd\.Health\.CircuitBreaker"),
    ("ledger (SQLite, fsync)", r"libe_sqlite3|sqlite3|Microsoft\.Data\.Sqlite|SQLitePCL|Cortex\.Llmd\.Ledger|fsync|fdatasync|jbd2|ext4"),
    ("logging", r"Microsoft\.Extensions\.Logging|Cortex\.Llmd\.Logging"),
    ("events and stats", r"Cortex\.Llmd\.Events|Cortex\.Llmd\.Stats"),
    ("HTTP client and SSE (provider)", r"System\.Net\.Http|Cortex\.Llmd\.Providers\.(OpenAi|Http|Anthropic)"),
    ("JSON", r"System\.Text\.Json"),
    ("routing, budgets, validation", r"Cortex\.Llmd\.(Routing|Budgets|Validation|Health|Pricing|Model|Access)|Polly"),
    ("mock provider", r"Cortex\.Llmd\.Providers\.Mock"),
    ("gRPC service layer", r"Cortex\.Llmd\.Services|Grpc\.|Google\.Protobuf|Cortex\.Llm\.V1"),
    ("Kestrel HTTP/2 and sockets", r"Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines|sys_sendmsg|sys_recvmsg|sys_sendto|sys_recvfrom|epoll|unix_stream|sock_"),
    ("GC", r"WKS::|SVR::|gc_heap|GCHeap|memset|clear_page"),
    ("JIT", r"libclrjit"),
    ("thread wake-ups and scheduling", r"futex|finish_task_switch|__schedule|try_to_wake_up|pthread_cond"),
]
COMPILED = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]


def samples(lines):
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith(("\t", " ")):
            stack.append(line.strip())
        else:
            stack = []
    if stack:
        yield stack


def main():
    counts = {}
    total = 0
    for stack in samples(sys.stdin):
        total += 1
        name = "other (runtime, kernel, unresolved)"
        for frame in stack:
            hit = next((n for n, rx in COMPILED if rx.search(frame)), None)
            if hit:
                name = hit
                break
        counts[name] = counts.get(name, 0) + 1
    print(f"| where the CPU went ({total} samples) | share |")
    print("|---|---|")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {100.0 * n / max(total, 1):.1f}% |")


if __name__ == "__main__":
    main()
