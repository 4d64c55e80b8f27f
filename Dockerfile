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
EXPOSE 8080
ENTRYPOINT ["/facade"]
