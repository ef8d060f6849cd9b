# syntax=docker/dockerfile:1
# Deepbrook runtime image: `deepbrook serve` on the bundled example, health-checked on /liveness.
FROM python:3.11.7-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEEPBROOK_CACHE_DIR=/var/cache/deepbrook \
    NUMBA_THREADING_LAYER=omp \
    DEEPBROOK_WORKSPACE=/data/workspace

# libgomp1: numba's thread-safe OpenMP layer (slim images lack it; the fallback 'workqueue' aborts under concurrency).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/deepbrook
COPY pyproject.toml constraints.txt README.md ./
COPY engine ./engine
COPY app ./app
COPY assets ./assets
RUN pip install -c constraints.txt ".[distributed]" \
    && useradd --create-home --uid 1000 deepbrook \
    && mkdir -p /var/cache/deepbrook /data/workspace \
    && chown -R 1000:1000 /var/cache/deepbrook /data

USER 1000
# Compile the training kernels now, so a container's first model does not wait for numba (the cache is keyed by
# the build machine's CPU model: on another CPU the first start compiles again, in the server's background warm-up).
RUN deepbrook warmup
EXPOSE 5006
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5006/liveness', timeout=4)"]
# Listening on all interfaces needs a login and the addresses users open; both come from the environment at run
# time, never from the image (the server refuses to start without them and says what to pass):
#   docker run -p 5006:5006 -v deepbrook:/data -v "$PWD/users.json:/run/secrets/deepbrook-users.json:ro" \
#     -e DEEPBROOK_BASIC_AUTH=/run/secrets/deepbrook-users.json \
#     -e DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN=deepbrook.example.org:5006 deepbrook
CMD ["deepbrook", "serve", "--address", "0.0.0.0", "--port", "5006", "--workspace", "/data/workspace"]
