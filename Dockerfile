# syntax=docker/dockerfile:1
# The Lambda container image: uvicorn serving the ASGI app on loopback, the Lambda Web Adapter
# (an extension) translating invocations into HTTP. The app itself knows nothing of Lambda.

FROM public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 AS web-adapter

FROM python:3.11.14-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /build
COPY pyproject.toml uv.lock ./
# Runtime dependencies only, exactly as locked; no dev or codegen groups.
RUN uv sync --frozen --no-dev --no-default-groups --python /usr/local/bin/python3.11
COPY alembic.ini ./
COPY app ./app
COPY handlers ./handlers
COPY generated ./generated
COPY migrations ./migrations
COPY spec/openapi.yaml ./spec/openapi.yaml
COPY opa/build /opt/opa/bundle
# Lambda's file system is read-only: bytecode and the compiled policy are made here, once.
# A compiled policy that does not match the host CPU is recompiled at start (in memory).
RUN /opt/venv/bin/python -m compileall -q app handlers generated migrations \
    && /opt/venv/bin/python -c "from app.platform.authz import ENTRYPOINT, opa; \
opa.load('/opt/opa/bundle', cache_dir='/opt/opa/cache', require=[ENTRYPOINT])" \
    && ls /opt/opa/cache/*.cwasm

FROM python:3.11.14-slim-bookworm
COPY --from=web-adapter /lambda-adapter /opt/extensions/lambda-adapter
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/opa /opt/opa
WORKDIR /var/task
COPY --from=build /build /var/task
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
USER 10001
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AWS_LWA_PORT=8080 \
    AWS_LWA_READINESS_CHECK_PATH=/health \
    ENVIRONMENT=lambda \
    DATABASE_POOL_SIZE=1 \
    DATABASE_MAX_OVERFLOW=0 \
    OPA_BUNDLE_PATH=/opt/opa/bundle \
    OPA_CACHE_DIR=/opt/opa/cache
EXPOSE 8080
# --no-proxy-headers: the app itself takes the client from X-Forwarded-For, trusting only
# FORWARDED_ALLOW_IPS (the adapter, on loopback): one rule, the one its tests check.
CMD ["uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1", "--port", "8080", "--no-access-log", "--no-proxy-headers", "--ws", "none"]
