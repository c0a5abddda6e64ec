# Multi-stage build: compile in the Rust image, run from a small distroless image as non-root.
# The HEALTHCHECK uses the binary's own `healthcheck` subcommand, so the image needs no shell.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY fixtures ./fixtures
COPY tests ./tests
RUN cargo build --release --locked --bin genesys-scim-mock

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/genesys-scim-mock /usr/local/bin/genesys-scim-mock
COPY fixtures /fixtures
COPY scenarios /scenarios
ENV GENESYS_MOCK_BIND=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/usr/local/bin/genesys-scim-mock", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/genesys-scim-mock"]
CMD ["serve"]
