# jpcheck in a small static image: the one binary on distroless/static (CA certificates, /tmp,
# a non-root user; no shell). The binary is the entrypoint:
#
#   docker run --rm ghcr.io/OWNER/jpcheck conform --target https://sandbox.example.com
#   docker run --rm ghcr.io/OWNER/jpcheck load --target http://service:8080 --order-id ord_1
#   docker run --rm -p 8080:8080 ghcr.io/OWNER/jpcheck          # the reference implementation
#
# With no arguments it serves the reference implementation (jpcheck mock) on 0.0.0.0:8080, so
# the image works as a CI service container the way stripe-mock's does. Build: make image.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
# CGO off: a static binary that needs no libc in the image.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/jpcheck ./cmd/jpcheck

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jpcheck /jpcheck
# The nonroot user (65532) owns /home/nonroot: reports written to the working directory land
# there unless a volume is mounted (docker run -v "$PWD/out:/home/nonroot/out" ...).
USER 65532:65532
WORKDIR /home/nonroot
EXPOSE 8080
ENTRYPOINT ["/jpcheck"]
CMD ["mock", "--addr", "0.0.0.0:8080"]
