# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings

WORKDIR /app

# Runtime dependencies first, pinned by requirements.lock (all are wheels: no compiler needed),
# so that this layer is rebuilt only when the dependencies change. The portal itself runs from
# /app (not installed into site-packages): templates/ and static/ live beside manage.py.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (WhiteNoise serves them). The key below exists only
# for this build step; the running containers need DJANGO_SECRET_KEY from the environment.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-a-runtime-key \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 --user-group portal \
    && mkdir -p /app/media \
    && chown portal:portal /app/media
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
