# genesys-scim-mock: a static binary in an empty image (about 10 MB), run as a numeric non-root
# user. `docker run IMAGE --any-serve-flag` works: the entry point takes serve flags directly.
#
# Stage `build` compiles; stage `runtime` is the image. CI builds `runtime` around a binary
# built on the host the same way (see .ci/steps/20-container.sh), since it cannot pull images.

FROM rust:1-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# Static glibc binary: runs in an image with no libc. Stripped: symbols are a third of the size.
ENV RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_PROFILE_RELEASE_STRIP=symbols
# Dependency layer: built from the manifest and lock file alone, so editing the crate's own
# sources rebuilds only the crate.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked --bin genesys-scim-mock --target "$(rustc -vV | sed -n 's/^host: //p')" \
 && rm -rf src
# Everything the crate compiles from: sources, and the files they embed with include_str!
# (the built-in org in fixtures/, the admin OpenAPI document in schemas/).
COPY src ./src
COPY fixtures ./fixtures
COPY schemas ./schemas
RUN touch src/main.rs src/lib.rs \
 && host="$(rustc -vV | sed -n 's/^host: //p')" \
 && cargo build --release --locked --bin genesys-scim-mock --target "$host" \
 && mkdir -p /out \
 && cp "target/$host/release/genesys-scim-mock" /out/genesys-scim-mock

FROM scratch AS runtime
COPY --from=build /out/genesys-scim-mock /usr/local/bin/genesys-scim-mock
COPY fixtures /fixtures
COPY scenarios /scenarios
ENV GENESYS_MOCK_BIND=0.0.0.0:8080
EXPOSE 8080
# Numeric, so Kubernetes' runAsNonRoot can verify it; any other uid works too (--user).
USER 65532:65532
# Docker (before 25) runs the first check one interval after start, so the interval is what
# "healthy" costs every consumer (compose, service containers, testcontainers). The check finds
# the server's address from its own command line (PID 1), so flags, env and defaults all work.
HEALTHCHECK --interval=0.5s --timeout=2s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/genesys-scim-mock", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/genesys-scim-mock"]
CMD ["serve"]
