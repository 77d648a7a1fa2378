# The salvo image: the compiled Linux binary on a minimal base with glibc (which the Deno runtime
# needs, so not `scratch`), running as a non-root user.
#
#   npx -y deno@2.9.6 task compile:all        # or download the binary from a release
#   docker build -t salvo --build-arg VERSION=0.1.0 .
#   docker run --rm --network host salvo run http://127.0.0.1:8080/ -c 8 -d 10s -o json
FROM gcr.io/distroless/cc-debian12:nonroot
ARG VERSION=0.1.0
ARG TARGET=x86_64-unknown-linux-gnu
COPY dist/salvo-${VERSION}-${TARGET} /usr/local/bin/salvo
USER nonroot
ENTRYPOINT ["salvo"]
