# Production image: a static-ish release binary on a slim Debian, run as a non-root user.
# Build:  docker build -t benchside .
# Run:    see compose.yaml (Benchside beside PostgreSQL).

# The web app: built with npm (packages from the npm registry only).
FROM node:20-bookworm-slim AS web
WORKDIR /web/frontend
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
COPY docs/openapi.json /web/docs/openapi.json
RUN npm run build

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
COPY migrations migrations
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && strip target/release/benchside

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/benchside \
        --create-home --shell /usr/sbin/nologin benchside \
    && install -d -m 0700 -o benchside -g benchside /var/lib/benchside/signing-keys
COPY --from=build /src/target/release/benchside /usr/local/bin/benchside
# The built web app, served by `serve` outside /api.
COPY --from=web /web/frontend/dist /usr/share/benchside/web
# Course content, for `benchside courses import` (or import at start).
COPY courses /usr/share/benchside/courses
USER 10001:10001
WORKDIR /var/lib/benchside
ENV BENCHSIDE_ENV=production \
    BENCHSIDE_LISTEN=0.0.0.0:8080 \
    BENCHSIDE_LOG_FORMAT=json \
    BENCHSIDE_DATA_DIR=/var/lib/benchside \
    BENCHSIDE_SIGNING_KEY_DIR=/var/lib/benchside/signing-keys \
    BENCHSIDE_COURSES_DIR=/usr/share/benchside/courses \
    BENCHSIDE_FRONTEND_DIR=/usr/share/benchside/web
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["benchside", "healthcheck"]
# SIGTERM stops the server gracefully: requests in flight finish first.
STOPSIGNAL SIGTERM
ENTRYPOINT ["benchside"]
CMD ["serve"]
