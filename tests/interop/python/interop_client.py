#!/usr/bin/python3
"""Interop client for cortex-llmd built on Debian's grpcio (python3-grpcio, python3-grpc-tools).

Usage: /usr/bin/python3 interop_client.py --socket PATH --gen DIR CASE

Generates Python stubs from the shipped .proto files (src/Protos, found relative to this script)
into DIR when they are missing or older than the protos, runs one CASE against the daemon on the
Unix socket PATH, prints one JSON object with what it observed on stdout, and exits 0 when the
case's own expectations hold, 1 otherwise (the reason goes to stderr).

Run it with /usr/bin/python3: a pyenv python3 first on PATH cannot see Debian's grpc modules.
"""

import argparse
import fcntl
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import grpc

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "..", ".."))
PROTO_ROOT = os.path.join(REPO_ROOT, "src", "Protos")
ROUTER_PROTO = os.path.join(PROTO_ROOT, "cortex", "llm", "v1", "router.proto")
HEALTH_PROTO = os.path.join(PROTO_ROOT, "grpc", "health", "v1", "health.proto")

# The mock provider of tests/Cortex.Llmd.Tests/Support/test-config.json.
MOCK_REPLY = "Hello from {model}: {prompt}"
MOCK_MODEL = "mock-1"
RPC_TIMEOUT = 30.0
DEADLINE_CALLS = 5
UNLIMITED = -1  # grpc channel options: no limit


class CaseFailed(Exception):
    """A case's expectation did not hold."""


def expect(condition, message):
    if not condition:
        raise CaseFailed(message)


def expect_equal(actual, expected, what):
    if actual != expected:
        raise CaseFailed(f"{what}: expected {expected!r}, got {actual!r}")


# ---------------------------------------------------------------- stub generation


def _proto_stamp():
    stamp = {}
    for path in (ROUTER_PROTO, HEALTH_PROTO, os.path.abspath(__file__)):
        st = os.stat(path)
        stamp[os.path.relpath(path, REPO_ROOT)] = [st.st_mtime_ns, st.st_size]
    return stamp


def _protoc(include_dirs, out_dir, proto):
    command = [sys.executable, "-m", "grpc_tools.protoc"]
    command += [f"-I{d}" for d in include_dirs]
    command += [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", proto]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed for {proto} ({result.returncode}): {result.stderr.strip()}")


def ensure_stubs(gen_dir):
    """Generates stubs into gen_dir unless a stamp says they match the current protos.

    The health stubs live in a module called 'healthgen', not grpc/health/v1: a generated
    'grpc' folder on sys.path would shadow the real grpc package. The proto package stays
    grpc.health.v1, so the wire paths are the standard ones.
    """
    os.makedirs(gen_dir, exist_ok=True)
    stamp_path = os.path.join(gen_dir, "stamp.json")
    wanted = _proto_stamp()
    with open(os.path.join(gen_dir, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp_path, encoding="utf-8") as f:
                if json.load(f) == wanted:
                    return False
        except (OSError, ValueError):
            pass

        for name in ("cortex", "healthgen", "healthsrc"):
            shutil.rmtree(os.path.join(gen_dir, name), ignore_errors=True)
        _protoc([PROTO_ROOT], gen_dir, ROUTER_PROTO)
        health_src = os.path.join(gen_dir, "healthsrc")
        os.makedirs(os.path.join(health_src, "healthgen"))
        shutil.copyfile(HEALTH_PROTO, os.path.join(health_src, "healthgen", "health.proto"))
        _protoc([health_src], gen_dir, os.path.join(health_src, "healthgen", "health.proto"))
        with open(stamp_path, "w", encoding="utf-8") as f:
            json.dump(wanted, f)
        return True


class Api:
    """The generated modules, imported once the stubs exist."""

    def __init__(self, gen_dir):
        sys.path.insert(0, gen_dir)
        self.pb = importlib.import_module("cortex.llm.v1.router_pb2")
        self.rpc = importlib.import_module("cortex.llm.v1.router_pb2_grpc")
        self.health_pb = importlib.import_module("healthgen.health_pb2")
        self.health_rpc = importlib.import_module("healthgen.health_pb2_grpc")


# ---------------------------------------------------------------- helpers


def mock_chunks(text):
    """The mock's chunking: word-sized pieces, each keeping its trailing space."""
    chunks, start = [], 0
    while start < len(text):
        space = text.find(" ", start)
        end = len(text) if space < 0 else space + 1
        chunks.append(text[start:end])
        start = end
    return chunks


def mock_text(prompt, model=MOCK_MODEL):
    return MOCK_REPLY.replace("{model}", model).replace("{prompt}", prompt)


def user_request(api, prompt, route="", task_type=None):
    request = api.pb.CompleteRequest(route=route)
    request.messages.add(role=api.pb.ROLE_USER, content=prompt)
    if task_type is not None:
        request.task_type = task_type
    return request


def metadata_dict(pairs):
    result = {}
    for key, value in pairs or ():
        result.setdefault(key, value)
    return result


def new_request_id(case):
    return f"interop-py-{case}-{uuid.uuid4().hex[:12]}"


def read_stream(call):
    """Reads a server stream to its end; returns (content deltas, final chunks, tool deltas, error)."""
    deltas, finals, tools, error = [], [], [], None
    try:
        for chunk in call:
            kind = chunk.WhichOneof("kind")
            if kind == "content_delta":
                deltas.append(chunk.content_delta)
            elif kind == "final":
                finals.append(chunk.final)
            elif kind == "tool_call_delta":
                tools.append(chunk.tool_call_delta)
    except grpc.RpcError as e:
        error = e
    return deltas, finals, tools, error


def code_name(error):
    return error.code().name if error is not None else "OK"


def expect_no_error(error, what):
    if error is not None:
        raise CaseFailed(f"{what}: status {code_name(error)}: {error.details()}")


def expect_status(error, wanted, what):
    if error is None:
        raise CaseFailed(f"{what}: expected status {wanted.name}, but the call succeeded")
    expect_equal(error.code(), wanted, f"{what} status (details: {error.details()!r})")


# ---------------------------------------------------------------- cases


def case_complete(ctx, observed):
    prompt = "interop says hi"
    response, call = ctx.router.Complete.with_call(user_request(ctx.api, prompt, route="default"), timeout=RPC_TIMEOUT)
    header_id = metadata_dict(call.initial_metadata()).get("x-cortex-request-id")
    observed.update({
        "content": response.content,
        "provider": response.provider,
        "model": response.model,
        "request_id": response.request_id,
        "header_request_id": header_id,
        "output_tokens": response.usage.output_tokens,
        "attempts": [ctx.api.pb.AttemptOutcome.Name(a.outcome) for a in response.attempts],
    })
    expect_equal(response.content, mock_text(prompt), "content")
    expect_equal(response.provider, "mock", "provider")
    expect(response.usage.output_tokens > 0, f"usage.output_tokens should be > 0, got {response.usage.output_tokens}")
    expect_equal(observed["attempts"], ["ATTEMPT_OUTCOME_SUCCESS"], "attempt outcomes")
    expect(response.request_id != "", "request_id is empty")
    expect_equal(header_id, response.request_id, "x-cortex-request-id response header")


def case_stream_0(ctx, observed):
    call = ctx.router.StreamComplete(user_request(ctx.api, "anything", route="empty"), timeout=RPC_TIMEOUT)
    deltas, finals, tools, error = read_stream(call)
    expect_no_error(error, "StreamComplete on route empty")
    observed.update({"empty": {"chunks": len(deltas), "finals": len(finals), "tool_deltas": len(tools)}})
    expect_equal(len(deltas), 0, "content chunks on route empty")
    expect_equal(len(tools), 0, "tool-call chunks on route empty")
    expect_equal(len(finals), 1, "final chunks on route empty")
    expect_equal(finals[0].content, "", "final chunk content on route empty")
    expect_equal(finals[0].provider, "empty", "final chunk provider on route empty")

    call = ctx.router.StreamComplete(user_request(ctx.api, "anything", route="broken"), timeout=RPC_TIMEOUT)
    deltas, finals, tools, error = read_stream(call)
    messages = len(deltas) + len(finals) + len(tools)
    trailers = metadata_dict(error.trailing_metadata() if error is not None else call.trailing_metadata())
    raw_log = trailers.get("x-cortex-attempts-bin")
    observed["broken"] = {
        "messages": messages,
        "status": code_name(error),
        "details": error.details() if error is not None else None,
        "initial_metadata_keys": sorted(metadata_dict(call.initial_metadata())),
        "trailer_keys": sorted(trailers),
        "attempts_trailer_bytes": len(raw_log) if isinstance(raw_log, bytes) else None,
    }
    expect_equal(messages, 0, "messages on route broken")
    expect_status(error, grpc.StatusCode.UNAVAILABLE, "StreamComplete on route broken")
    expect(isinstance(raw_log, bytes), f"trailer x-cortex-attempts-bin missing or not binary: {trailers!r}")
    log = ctx.api.pb.AttemptLog.FromString(raw_log)
    observed["broken"]["attempt_log"] = {
        "request_id": log.request_id,
        "attempts": [[a.provider, a.model, ctx.api.pb.AttemptOutcome.Name(a.outcome)] for a in log.attempts],
    }
    expect_equal(len(log.attempts), 1, "attempts in x-cortex-attempts-bin")
    expect_equal((log.attempts[0].provider, log.attempts[0].outcome), ("broken", ctx.api.pb.ATTEMPT_OUTCOME_ERROR), "the attempt")
    expect(log.request_id != "", "AttemptLog.request_id is empty")
    # Trailers-only: grpc-core reports everything the single header block held as trailing
    # metadata, so the request id is there and there is no initial metadata at all.
    expect_equal(trailers.get("x-cortex-request-id"), log.request_id, "x-cortex-request-id in the trailers")
    expect_equal(observed["broken"]["initial_metadata_keys"], [], "initial metadata of a trailers-only error")


def case_stream_1(ctx, observed):
    # Several words, a double space and non-ASCII text: the chunking and UTF-8 both show.
    prompt = "x  naïve 🙂 chunks"
    expected = mock_text(prompt)
    expected_chunks = mock_chunks(expected)
    call = ctx.router.StreamComplete(user_request(ctx.api, prompt, route="default"), timeout=RPC_TIMEOUT)
    deltas, finals, tools, error = read_stream(call)
    expect_no_error(error, "StreamComplete on route default")
    observed.update({
        "content": "".join(deltas),
        "chunks": len(deltas),
        "expected_chunks": len(expected_chunks),
        "finals": len(finals),
    })
    expect_equal(deltas, expected_chunks, "content deltas")
    expect_equal("".join(deltas), expected, "concatenated deltas")
    expect_equal(len(finals), 1, "final chunks")
    final = finals[0]
    observed["final_content"] = final.content
    observed["output_tokens"] = final.usage.output_tokens
    expect_equal(final.content, "", "final chunk content")
    expect_equal(final.provider, "mock", "final chunk provider")
    expect_equal(final.usage.output_tokens, len(expected_chunks), "final usage.output_tokens (one per chunk)")
    expect(final.request_id != "", "final request_id is empty")


def case_stream_many(ctx, observed):
    call = ctx.router.StreamComplete(user_request(ctx.api, "count", route="many"), timeout=RPC_TIMEOUT)
    deltas, finals, tools, error = read_stream(call)
    expect_no_error(error, "StreamComplete on route many")
    wrong = [i for i, d in enumerate(deltas) if d != "tick "]
    observed.update({"chunks": len(deltas), "finals": len(finals), "wrong_chunks": len(wrong)})
    expect_equal(len(deltas), 5000, "content chunks")
    expect(not wrong, f"{len(wrong)} chunks are not 'tick ', first at index {wrong[:1]}: {deltas[wrong[0]] if wrong else ''!r}")
    expect_equal(len(finals), 1, "final chunks")
    expect_equal(finals[0].content, "", "final chunk content")
    observed["output_tokens"] = finals[0].usage.output_tokens


def _provider_calls(ctx):
    listing = ctx.router.ListProviders(ctx.api.pb.ListProvidersRequest(), timeout=RPC_TIMEOUT)
    return sum(t.successes + t.failures for p in listing.providers for t in p.targets)


def case_route(ctx, observed):
    pb = ctx.api.pb
    requests_before = ctx.router.GetStats(pb.GetStatsRequest(), timeout=RPC_TIMEOUT).total.requests
    calls_before = _provider_calls(ctx)

    chat = ctx.router.Route(user_request(ctx.api, "plan me", task_type=pb.TASK_TYPE_USER_CHAT), timeout=RPC_TIMEOUT)
    fallback = ctx.router.Route(user_request(ctx.api, "plan me", route="fallback"), timeout=RPC_TIMEOUT)

    requests_after = ctx.router.GetStats(pb.GetStatsRequest(), timeout=RPC_TIMEOUT).total.requests
    calls_after = _provider_calls(ctx)

    def describe(decision):
        return [[c.provider, c.model, c.route, c.eligible] for c in decision.candidates]

    observed.update({
        "user_chat": {"route": chat.route, "task_type": pb.TaskType.Name(chat.task_type), "candidates": describe(chat)},
        "fallback": {"route": fallback.route, "candidates": describe(fallback)},
        "requests_before": requests_before,
        "requests_after": requests_after,
        "provider_calls_before": calls_before,
        "provider_calls_after": calls_after,
    })
    expect_equal(chat.route, "default", "route chosen for TASK_TYPE_USER_CHAT")
    expect_equal(chat.task_type, pb.TASK_TYPE_USER_CHAT, "task type echoed for TASK_TYPE_USER_CHAT")
    expect_equal(describe(chat), [["mock", "mock-1", "default", True]], "candidates for TASK_TYPE_USER_CHAT")
    expect_equal(fallback.route, "fallback", "route of the fallback decision")
    expect_equal(
        describe(fallback),
        [["broken", "broken-1", "fallback", True], ["mock", "mock-1", "default", True]],
        "candidates for route fallback",
    )
    expect_equal(requests_after, requests_before, "GetStats request count (Route must not run a request)")
    expect_equal(calls_after, calls_before, "provider attempts in ListProviders (Route must not call a provider)")


def case_health(ctx, observed):
    hpb = ctx.api.health_pb
    serving = hpb.HealthCheckResponse.SERVING
    for service in ("", "cortex.llm.v1.Router"):
        response = ctx.health.Check(hpb.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT)
        observed[service or "(daemon)"] = hpb.HealthCheckResponse.ServingStatus.Name(response.status)
        expect_equal(response.status, serving, f"Check({service!r})")
    try:
        response = ctx.health.Check(hpb.HealthCheckRequest(service="nope"), timeout=RPC_TIMEOUT)
        raise CaseFailed(f"Check('nope') answered {response.status} instead of failing with NOT_FOUND")
    except grpc.RpcError as e:
        observed["nope"] = e.code().name
        expect_status(e, grpc.StatusCode.NOT_FOUND, "Check('nope')")


def case_deadline(ctx, observed):
    # The client's deadline timer and the daemon's race each other (the client then resets the
    # stream), so one call samples that race once; several calls make a daemon that records the
    # wrong status show up reliably on the C# side.
    calls = []
    observed.update({"calls": calls})
    for _ in range(DEADLINE_CALLS):
        request_id = new_request_id("deadline")
        started = time.monotonic()
        try:
            ctx.router.Complete(
                user_request(ctx.api, "take your time", route="slow"), timeout=0.3, metadata=[("x-cortex-request-id", request_id)]
            )
            error = None
        except grpc.RpcError as e:
            error = e
        elapsed = time.monotonic() - started
        calls.append({"request_id": request_id, "status": code_name(error), "elapsed_s": round(elapsed, 3)})
        expect_status(error, grpc.StatusCode.DEADLINE_EXCEEDED, "Complete on route slow with a 0.3 s timeout")
        expect(elapsed < 5.0, f"the deadline took {elapsed:.3f} s to fire")


def case_cancel_stream(ctx, observed):
    request_id = new_request_id("cancel-stream")
    call = ctx.router.StreamComplete(
        user_request(ctx.api, "keep going", route="trickle"), timeout=RPC_TIMEOUT, metadata=[("x-cortex-request-id", request_id)]
    )
    received = []
    for chunk in call:
        received.append(chunk.content_delta)
        if len(received) == 5:
            break
    cancelled = call.cancel()
    error = None
    try:
        for chunk in call:
            raise CaseFailed(f"a chunk arrived after cancel(): {chunk!r}")
    except grpc.RpcError as e:
        error = e
    status = call.code()
    observed.update({
        "request_id": request_id,
        "chunks": len(received),
        "cancel_returned": cancelled,
        "status": status.name if status is not None else None,
        "iterator_status": code_name(error),
    })
    expect_equal(received, ["drip "] * 5, "chunks read before cancelling")
    expect(cancelled, "cancel() returned False: the call had already ended")
    expect_status(error, grpc.StatusCode.CANCELLED, "reading after cancel()")
    expect_equal(status, grpc.StatusCode.CANCELLED, "call.code() after cancel()")


def case_unimplemented(ctx, observed):
    # grpc-dotnet's standard details say which part is unknown: the method of a served service, or the service.
    for path, name in (("/cortex.llm.v1.Router/NoSuchMethod", "Method is unimplemented"), ("/no.such.Service/Method", "Service is unimplemented")):
        raw = ctx.channel.unary_unary(path, request_serializer=None, response_deserializer=None)
        try:
            reply = raw(b"", timeout=RPC_TIMEOUT)
            raise CaseFailed(f"{path} answered {reply!r} instead of UNIMPLEMENTED")
        except grpc.RpcError as e:
            observed[path] = {"status": e.code().name, "details": e.details()}
            expect_status(e, grpc.StatusCode.UNIMPLEMENTED, path)
            expect(name in (e.details() or ""), f"{path}: details {e.details()!r} do not say {name}")


def case_oversize(ctx, observed):
    size = 5 * 1024 * 1024
    request = user_request(ctx.api, "x" * size, route="default")
    started = time.monotonic()
    try:
        ctx.big_router.Complete(request, timeout=RPC_TIMEOUT)
        error = None
    except grpc.RpcError as e:
        error = e
    observed.update({
        "message_bytes": request.ByteSize(),
        "status": code_name(error),
        "details": error.details() if error is not None else None,
        "elapsed_s": round(time.monotonic() - started, 3),
    })
    expect_status(error, grpc.StatusCode.RESOURCE_EXHAUSTED, "Complete with a 5 MiB message")
    # The channel still works afterwards.
    response = ctx.big_router.Complete(user_request(ctx.api, "after", route="default"), timeout=RPC_TIMEOUT)
    observed["after"] = response.content
    expect_equal(response.content, mock_text("after"), "a normal call after the oversize one")


def case_metadata(ctx, observed):
    correlation = bytes([0, 255, 1, 128, 10])
    response, call = ctx.router.Complete.with_call(
        user_request(ctx.api, "who am i", route="default"),
        timeout=RPC_TIMEOUT,
        metadata=[("x-cortex-request-id", "interop-123"), ("x-cortex-correlation-bin", correlation)],
    )
    headers = metadata_dict(call.initial_metadata())
    echoed = headers.get("x-cortex-correlation-bin")
    observed.update({
        "header_request_id": headers.get("x-cortex-request-id"),
        "request_id": response.request_id,
        "correlation": list(echoed) if isinstance(echoed, bytes) else echoed,
    })
    expect_equal(headers.get("x-cortex-request-id"), "interop-123", "x-cortex-request-id response header")
    expect_equal(response.request_id, "interop-123", "response.request_id")
    expect_equal(echoed, correlation, "x-cortex-correlation-bin response header")


def case_concurrent(ctx, observed):
    count = 120
    started = time.monotonic()
    futures = [
        ctx.router.Complete.future(user_request(ctx.api, f"call {i}", route="default"), timeout=RPC_TIMEOUT) for i in range(count)
    ]
    failures, ids = [], set()
    for i, future in enumerate(futures):
        try:
            response = future.result()
            ids.add(response.request_id)
            if response.content != mock_text(f"call {i}"):
                failures.append(f"call {i}: content {response.content!r}")
        except grpc.RpcError as e:
            failures.append(f"call {i}: {e.code().name}: {e.details()}")
    observed.update({
        "calls": count,
        "succeeded": count - len(failures),
        "distinct_request_ids": len(ids),
        "elapsed_s": round(time.monotonic() - started, 3),
    })
    expect(not failures, f"{len(failures)} of {count} calls failed: {failures[:5]}")
    expect_equal(len(ids), count, "distinct request ids")


def case_huge_names(ctx, observed):
    # A stock grpcio client fails with "metadata size exceeds limit" when a status message echoes a 3 MB
    # name; the daemon quotes 200 characters of it and keeps the whole message under 4 KiB.
    huge = "r" * 3_000_000
    try:
        ctx.router.Complete(user_request(ctx.api, "hi", route=huge), timeout=RPC_TIMEOUT)
        route_error = None
    except grpc.RpcError as e:
        route_error = e
    try:
        ctx.health.Check(ctx.api.health_pb.HealthCheckRequest(service=huge), timeout=RPC_TIMEOUT)
        health_error = None
    except grpc.RpcError as e:
        health_error = e
    details = route_error.details() if route_error is not None else ""
    observed.update({
        "route_status": code_name(route_error),
        "route_details_bytes": len((details or "").encode("utf-8")),
        "route_details_head": (details or "")[:40],
        "health_status": code_name(health_error),
        "health_details_bytes": len(((health_error.details() if health_error is not None else "") or "").encode("utf-8")),
    })
    expect_status(route_error, grpc.StatusCode.INVALID_ARGUMENT, "Complete with a 3 MB route name")
    expect(("r" * 200 + "...") in details, f"the route name is quoted clipped: {details[:300]!r}")
    expect_status(health_error, grpc.StatusCode.NOT_FOUND, "Health/Check with a 3 MB service name")


CASES = {
    "huge-names": case_huge_names,
    "complete": case_complete,
    "stream-0": case_stream_0,
    "stream-1": case_stream_1,
    "stream-many": case_stream_many,
    "route": case_route,
    "health": case_health,
    "deadline": case_deadline,
    "cancel-stream": case_cancel_stream,
    "unimplemented": case_unimplemented,
    "oversize": case_oversize,
    "metadata": case_metadata,
    "concurrent": case_concurrent,
}


class Context:
    def __init__(self, api, socket_path):
        self.api = api
        target = "unix:" + socket_path
        self.channel = grpc.insecure_channel(target)
        # A second channel that may send more than the 4 MiB default, for the oversize case.
        self.big_channel = grpc.insecure_channel(target, options=[("grpc.max_send_message_length", UNLIMITED)])
        self.router = api.rpc.RouterStub(self.channel)
        self.big_router = api.rpc.RouterStub(self.big_channel)
        self.health = api.health_rpc.HealthStub(self.channel)

    def close(self):
        self.channel.close()
        self.big_channel.close()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="the daemon's Unix socket")
    parser.add_argument("--gen", required=True, help="where generated stubs are cached")
    parser.add_argument("case", choices=sorted(CASES))
    args = parser.parse_args(argv)

    observed = {"case": args.case, "client": "python-grpcio", "grpc_version": grpc.__version__}
    started = time.monotonic()
    ctx = None
    try:
        observed["generated"] = ensure_stubs(os.path.abspath(args.gen))
        ctx = Context(Api(os.path.abspath(args.gen)), args.socket)
        CASES[args.case](ctx, observed)
        observed["ok"] = True
    except CaseFailed as e:
        observed.update(ok=False, error=str(e))
    except grpc.RpcError as e:
        observed.update(ok=False, error=f"unexpected RPC failure: {e.code().name}: {e.details()}")
    except Exception as e:  # noqa: BLE001 - anything else is a failed case, reported the same way
        observed.update(ok=False, error=f"{type(e).__name__}: {e}")
    finally:
        if ctx is not None:
            ctx.close()
    observed["elapsed_s_total"] = round(time.monotonic() - started, 3)
    print(json.dumps(observed, ensure_ascii=False, default=str))
    if not observed["ok"]:
        print(f"interop case {args.case} failed: {observed['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
