# gpworkforce web app and CLI. See docs/deployment.md.
#   docker build -t gpworkforce .
#   docker run --rm -v gpw-data:/data gpworkforce init
#   docker run --rm -p 8000:8000 -v gpw-data:/data -e GPWORKFORCE_SECRET_KEY=... gpworkforce serve --host 0.0.0.0
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GPWORKFORCE_DATABASE_URL=sqlite:////data/gpworkforce.db \
    GPWORKFORCE_CACHE_DIR=/data/cache

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY src ./src
RUN pip install --no-cache-dir uv \
    && uv pip install --system --no-cache -r requirements.lock \
    && uv pip install --system --no-cache --no-deps . \
    && useradd --create-home --uid 10001 app \
    && mkdir -p /data && chown app /data

USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD \
    python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["gpworkforce"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
