# Two stages: build a static binary (no cgo: SQLite is pure Go), run it as a non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sharecast ./cmd/sharecast

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sharecast /sharecast
ENV SHARECAST_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/sharecast"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
