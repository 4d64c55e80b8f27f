# syntax=docker/dockerfile:1
# A static binary in a distroless image, run as a non-root user.
#   docker build -t gitbook-graphql .
#   docker run -p 8080:8080 -e GITBOOK_TOKEN=... gitbook-graphql
#   docker run -p 8080:8080 gitbook-graphql -demo

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/facade .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/facade /facade
USER nonroot:nonroot
# Set explicitly, so the facade listens on every interface of the container
# (with a credential of its own and no -addr it would take loopback alone).
ENV ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/facade"]
