# Build the release binary, then ship it on a slim Debian with curl for the health check.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin roster

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/roster roster
COPY --from=build /src/target/release/roster /usr/local/bin/roster
USER roster
WORKDIR /var/lib/roster
EXPOSE 3000
ENTRYPOINT ["roster"]
CMD ["server"]
