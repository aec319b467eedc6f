# syntax=docker/dockerfile:1
# Bothy: build a static binary, ship it on a minimal image with no shell,
# running as a non-root user, with its data in the /data volume.
#
#   docker build -t bothy .
#   docker run -d --name bothy -v bothy-data:/data -p 127.0.0.1:8080:8080 \
#     -e BOTHY_MATRIX_HOMESERVER=... -e BOTHY_MATRIX_USER=... -e BOTHY_MATRIX_PASSWORD=... bothy

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# goolm: the pure-Go Matrix encryption library, so no C toolchain or libolm.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -tags goolm -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/bothy ./cmd/bothy
# An empty /data owned by the runtime user, so a new named volume starts
# out writable by it.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bothy /bothy
COPY --from=build --chown=65532:65532 /out/data /data
# The database (and its backups, if you make them here) live in /data;
# bothy.yaml, if used, is read from /data too (the working folder).
ENV BOTHY_DB=/data/bothy.db \
    BOTHY_HTTP_LISTEN=0.0.0.0:8080
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
# The image has no curl: bothy checks its own /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/bothy", "healthcheck"]
ENTRYPOINT ["/bothy"]
CMD ["run"]
