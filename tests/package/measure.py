#!/usr/bin/python3
"""Measurements for tests/package/package-test.sh (Debian's python3-grpcio; run with /usr/bin/python3).

  measure.py calls SOCKET COUNT SECONDS
      Calls grpc.health.v1.Health/Check COUNT times over the Unix socket, WINDOW calls in flight, and
      stops early after SECONDS. Prints "calls N seconds S errors E".
  measure.py runs COUNT COMMAND...
      Runs COMMAND COUNT times; prints the median wall time, the median CPU time (user + system) and
      the fastest wall time: "wall_ms W cpu_ms C fastest_wall_ms F".
  measure.py ready SECONDS COMMAND...
      Binds a NOTIFY_SOCKET datagram socket, takes a monotonic timestamp, starts COMMAND with
      NOTIFY_SOCKET set (an argument "NOTIFY_SOCKET=@" becomes NOTIFY_SOCKET=PATH, for env -i), and
      waits for a datagram carrying READY=1. Then sends SIGTERM (to COMMAND's
      children when it is a launcher like `unshare --fork`) and waits.
      Prints "ready_ms M exit X", or "ready_ms none exit X" when READY=1 never came.

Health/Check is called without generated stubs: its request (empty service name) is the empty
message, so the bytes on the wire are b"" and the answer is printed only by its length.
"""
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

WINDOW = 32


def calls(sock_path, count, seconds):
    import grpc  # Debian's python3-grpcio; imported here so that "ready" works without it

    channel = grpc.insecure_channel("unix:" + sock_path)
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda message: message,
        response_deserializer=lambda data: data,
    )
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    done = errors = 0
    in_flight = []
    sent = 0
    while done < count and time.monotonic() < deadline:
        while sent < count and len(in_flight) < WINDOW:
            in_flight.append(check.future(b"", timeout=10))
            sent += 1
        future = in_flight.pop(0)
        try:
            future.result()
        except grpc.RpcError:
            errors += 1
        done += 1
    for future in in_flight:
        try:
            future.result()
            done += 1
        except grpc.RpcError:
            errors += 1
            done += 1
    channel.close()
    print(f"calls {done} seconds {time.monotonic() - started:.1f} errors {errors}")


def stop(pid):
    """SIGTERM to the daemon: the process's children when it is a launcher such as unshare --fork."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            targets = [int(child) for child in children.read().split()]
    except OSError:
        targets = []
    for target in targets or [pid]:
        try:
            os.kill(target, signal.SIGTERM)
        except ProcessLookupError:
            pass


def ready(seconds, command):
    directory = tempfile.mkdtemp(prefix="cortex-notify-")
    os.chmod(directory, 0o755)
    path = os.path.join(directory, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    os.chmod(path, 0o777)  # the daemon runs as its service user
    listener.settimeout(0.05)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    # For a command that clears its environment (env -i ...): NOTIFY_SOCKET=@ in its arguments.
    command = [f"NOTIFY_SOCKET={path}" if arg == "NOTIFY_SOCKET=@" else arg for arg in command]
    t0 = time.monotonic_ns()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready_ns = None
    limit = time.monotonic() + seconds
    while ready_ns is None and time.monotonic() < limit and process.poll() is None:
        try:
            data = listener.recv(4096)
        except socket.timeout:
            continue
        if b"READY=1" in data.split(b"\n"):
            ready_ns = time.monotonic_ns()
    if process.poll() is None:
        stop(process.pid)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    listener.close()
    os.unlink(path)
    os.rmdir(directory)
    shown = "none" if ready_ns is None else f"{(ready_ns - t0) / 1e6:.1f}"
    print(f"ready_ms {shown} exit {code}")


def runs(count, command):
    """Wall and CPU time (user + system) of COUNT runs of COMMAND as a new process: the CPU time
    says what the wall time would be on an idle machine, the wall time what a user waits here."""
    walls, cpus = [], []
    for _ in range(count):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic_ns()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append((time.monotonic_ns() - t0) / 1e6)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    walls.sort()
    cpus.sort()
    middle = count // 2
    print(f"wall_ms {walls[middle]:.1f} cpu_ms {cpus[middle]:.1f} fastest_wall_ms {walls[0]:.1f}")


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "calls":
        calls(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "runs":
        runs(int(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "ready":
        ready(float(sys.argv[2]), sys.argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
