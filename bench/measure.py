"""The helper's benchmark figures and their ratios to baselines measured in the same
run: binary size, cached-call time vs exec of a static hello-world, cold-call time vs
curl doing the same STS POST and vs the AWS CLI, requests per call counted at the
server, and max RSS. Started by run.sh, which builds the binaries and the servers.

    python3 measure.py HELPER HELLO MOTO_URL PROXY_URL AWS_CLI WORKDIR
"""

import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HELPER, HELLO, MOTO, PROXY, AWS_CLI, WORK = sys.argv[1:7]
ROLE = "arn:aws:iam::123456789012:role/bench"
SESSION = "bench.app"
MIB = 1024 * 1024
RUNS_EXEC = int(os.environ.get("BENCH_RUNS_EXEC", "300"))
RUNS_COLD = int(os.environ.get("BENCH_RUNS_COLD", "40"))
RUNS_AWS = int(os.environ.get("BENCH_RUNS_AWS", "5"))


def b64url(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


# An unsigned token shaped like a projected ServiceAccount token (moto does not verify it).
TOKEN = ".".join([
    b64url({"alg": "RS256", "kid": "bench"}),
    b64url({"iss": "https://127.0.0.1:6443", "sub": "system:serviceaccount:bench:app",
            "aud": ["sts.amazonaws.com"], "exp": int(time.time()) + 7200, "iat": int(time.time())}),
    "c2lnbmF0dXJl",
])
TOKEN_FILE = os.path.join(WORK, "token")
with open(os.open(TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    f.write(TOKEN)
BODY_FILE = os.path.join(WORK, "body")
with open(os.open(BODY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    f.write(urllib.parse.urlencode({
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": ROLE,
        "RoleSessionName": SESSION, "WebIdentityToken": TOKEN, "DurationSeconds": "3600",
    }))

ENV = {"PATH": os.environ["PATH"], "HOME": WORK}


def helper_argv(endpoint, cache_dir):
    return [HELPER, "--role-arn", ROLE, "--token-file", TOKEN_FILE, "--endpoint-url", endpoint,
            "--cache-dir", cache_dir]


def curl_argv(endpoint):
    return ["curl", "-sS", "-o", "/dev/null", "--data-binary", "@" + BODY_FILE,
            "-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8", endpoint + "/"]


def aws_argv(endpoint):
    return [AWS_CLI, "sts", "assume-role-with-web-identity", "--role-arn", ROLE,
            "--role-session-name", SESSION, "--web-identity-token", TOKEN, "--duration-seconds", "3600",
            "--endpoint-url", endpoint, "--region", "eu-central-1", "--output", "json"]


AWS_ENV = dict(ENV, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")


def timed(argv, env=ENV):
    """Wall time of one spawn-to-exit, stdout and stderr to /dev/null; fails loudly."""
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    started = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {argv[0]} failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed


def fresh_cache():
    return tempfile.mkdtemp(prefix="cache-", dir=WORK)


def count():
    with urllib.request.urlopen(PROXY + "/__count") as response:
        return int(response.read())


def max_rss_kib(argv, env=ENV):
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench: {argv[0]} failed under /usr/bin/time: {result.stderr}")
    return int(result.stderr.strip().splitlines()[-1])


rows = []


def row(metric, value, baseline, ratio, goal, ok):
    rows.append((metric, value, baseline, ratio, goal, "ok" if ok else "MISSED"))


# Size.
size, hello_size = os.path.getsize(HELPER), os.path.getsize(HELLO)
row("stripped static binary size", f"{size / MIB:.2f} MiB", f"hello {hello_size / 1024:.0f} KiB",
    f"{size / hello_size:.1f}x hello", "<= 3.0 MiB", size <= 3 * MIB)

# Cached call vs exec of the static hello-world, interleaved so drift hits both.
cache = fresh_cache()
timed(helper_argv(MOTO, cache))
cached_times, hello_times = [], []
for _ in range(10):
    timed(helper_argv(MOTO, cache)), timed([HELLO])
for _ in range(RUNS_EXEC):
    cached_times.append(timed(helper_argv(MOTO, cache)))
    hello_times.append(timed([HELLO]))
cached, hello = statistics.median(cached_times), statistics.median(hello_times)
row("cached call (median wall)", f"{cached * 1e3:.2f} ms", f"hello {hello * 1e3:.2f} ms",
    f"{cached / hello:.2f}x", "<= 2x hello", cached / hello <= 2)

# Cold call vs curl doing the same POST, both straight at moto, interleaved.
cold_times, curl_times = [], []
for _ in range(3):
    timed(helper_argv(MOTO, fresh_cache())), timed(curl_argv(MOTO))
for _ in range(RUNS_COLD):
    cold_times.append(timed(helper_argv(MOTO, fresh_cache())))
    curl_times.append(timed(curl_argv(MOTO)))
cold, curl = statistics.median(cold_times), statistics.median(curl_times)
row("cold call vs curl (median wall)", f"{cold * 1e3:.2f} ms", f"curl {curl * 1e3:.2f} ms",
    f"{cold / curl:.2f}x", "<= 1.2x curl", cold / curl <= 1.2)

# Cold call vs the AWS CLI doing the same exchange.
aws_times = [timed(aws_argv(MOTO), AWS_ENV) for _ in range(RUNS_AWS)]
aws = statistics.median(aws_times)
row("cold call vs aws sts assume-role-with-web-identity", f"{cold * 1e3:.2f} ms", f"aws {aws * 1e3:.0f} ms",
    f"{aws / cold:.0f}x faster", ">= 20x faster", aws / cold >= 20)

# Requests reaching the server per call, counted by the proxy.
cache = fresh_cache()
before = count()
timed(helper_argv(PROXY, cache))
cold_requests = count() - before
before = count()
timed(helper_argv(PROXY, cache))
cached_requests = count() - before
row("HTTP requests per cold call", str(cold_requests), "-", "-", "1", cold_requests == 1)
row("HTTP requests per cached call", str(cached_requests), "-", "-", "0", cached_requests == 0)

# Max RSS of a cold and a cached call.
cache = fresh_cache()
rss_cold = max_rss_kib(helper_argv(MOTO, cache))
rss_cached = max_rss_kib(helper_argv(MOTO, cache))
rss_hello = max_rss_kib([HELLO])
rss = max(rss_cold, rss_cached)
row("max RSS (cold / cached)", f"{rss_cold / 1024:.1f} / {rss_cached / 1024:.1f} MiB",
    f"hello {rss_hello / 1024:.1f} MiB", f"{rss / rss_hello:.1f}x hello", "<= 8 MiB", rss <= 8 * 1024)

widths = [max(len(str(r[i])) for r in rows + [("metric", "value", "baseline", "ratio", "goal", "")])
          for i in range(6)]
header = ("metric", "value", "baseline", "ratio", "goal", "")
for r in [header] + rows:
    print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
print(f"\nruns: {RUNS_EXEC} cached/hello, {RUNS_COLD} cold/curl, {RUNS_AWS} aws; medians of interleaved runs")
sys.exit(0 if all(r[5] == "ok" for r in rows) else 1)
