// Command floe-go-example is a minimal floe-quality plugin written in Go from
// docs/plugin-protocol.md alone, without an SDK: the handshake, health, the
// QualityPluginService on a private Unix socket (or a sidecar address), and a
// few check types run on PostgreSQL through pgx.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	floev1 "github.com/floe-dev/floe-quality/plugins/examples/go/gen/floe/quality/v1"
)

const (
	magicCookieKey   = "FLOE_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "floe-quality-plugin-6d1a9f3c"
	healthService    = "floe.quality.v1.QualityPluginService"
	coreVersion      = 1
	startedByHand    = "This binary is a floe-quality plugin. It is started by the floe-quality host, not by hand. Try: floe-quality plugins check <provider>"
)

// appVersions are the application protocol versions this plugin speaks.
var appVersions = []int{1}

// listener is where the plugin serves and how it says so in the handshake line.
type listener struct {
	net.Listener
	network    string
	address    string
	socketPath string
	sidecar    bool
	creds      credentials.TransportCredentials
}

func main() {
	log := newLogger(os.Getenv("FLOE_PLUGIN_LOG_LEVEL"))
	if err := run(log); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	listen := os.Getenv("FLOE_PLUGIN_LISTEN")
	if listen == "" && os.Getenv(magicCookieKey) != magicCookieValue {
		return errors.New(startedByHand)
	}
	app, err := negotiate(os.Getenv("FLOE_PLUGIN_PROTOCOL_VERSIONS"))
	if err != nil {
		return err
	}
	lis, err := openListener(listen)
	if err != nil {
		return err
	}

	var opts []grpc.ServerOption
	if lis.creds != nil {
		opts = append(opts, grpc.Creds(lis.creds))
	}
	server := grpc.NewServer(opts...)
	healthServer := health.NewServer()
	healthServer.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	healthServer.SetServingStatus(healthService, healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(server, healthServer)

	root, cancelAll := context.WithCancel(context.Background())
	var once sync.Once
	done := make(chan struct{})
	// Set when stdin reached EOF: the host is gone and cannot remove its directory.
	var hostGone atomic.Bool
	stop := func(reason string) {
		once.Do(func() {
			log.Info("plugin stopping", "reason", reason)
			healthServer.Shutdown()
			cancelAll()
			// GracefulStop lets the call that asked for Shutdown send its answer.
			server.GracefulStop()
			if lis.socketPath != "" {
				_ = os.Remove(lis.socketPath)
				if hostGone.Load() {
					// Empty once the socket is gone; os.Remove never removes a non-empty directory.
					_ = os.Remove(filepath.Dir(lis.socketPath))
				}
			}
			close(done)
		})
	}
	floev1.RegisterQualityPluginServiceServer(server, &plugin{log: log, root: root, stop: stop})

	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(lis) }()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { s := <-signals; stop("signal " + s.String()) }()
	if !lis.sidecar {
		// The host holds our stdin open for its whole life: EOF means it died.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			hostGone.Store(true)
			stop("stdin closed: the host is gone")
		}()
	}

	fmt.Printf("%d|%d|%s|%s|grpc\n", coreVersion, app, lis.network, lis.address)
	// No start-up work beyond listening: serving at once.
	healthServer.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthServer.SetServingStatus(healthService, healthpb.HealthCheckResponse_SERVING)
	log.Debug("plugin serving", "address", lis.address)

	select {
	case <-done:
		return nil
	case err := <-serveErr:
		if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			return fmt.Errorf("floe-go-example: serving failed: %w", err)
		}
		<-done
		return nil
	}
}

// negotiate picks the highest version both the host and this plugin speak.
func negotiate(hostList string) (int, error) {
	if hostList == "" {
		hostList = "1"
	}
	best := 0
	for _, field := range strings.Split(hostList, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(field))
		if err == nil && slices.Contains(appVersions, v) && v > best {
			best = v
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("floe-go-example: no common protocol version: the host speaks [%s] (FLOE_PLUGIN_PROTOCOL_VERSIONS), this plugin speaks [%s]",
			hostList, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(appVersions)), ","), "[]"))
	}
	return best, nil
}

func openListener(listen string) (*listener, error) {
	switch {
	case listen == "":
		dir := os.Getenv("FLOE_PLUGIN_SOCKET_DIR")
		if dir == "" {
			return nil, errors.New("floe-go-example: FLOE_PLUGIN_SOCKET_DIR is not set; the host must provide a private directory")
		}
		return unixListener(filepath.Join(dir, "plugin.sock"), false)
	case strings.HasPrefix(listen, "unix://"):
		path := strings.TrimPrefix(listen, "unix://")
		if !filepath.IsAbs(path) {
			return nil, fmt.Errorf("floe-go-example: FLOE_PLUGIN_LISTEN=%s: use an absolute path, unix:///path/p.sock", listen)
		}
		_ = os.Remove(path)
		return unixListener(path, true)
	case strings.HasPrefix(listen, "tcp://"):
		creds, err := tcpCredentials()
		if err != nil {
			return nil, err
		}
		l, err := net.Listen("tcp", strings.TrimPrefix(listen, "tcp://"))
		if err != nil {
			return nil, fmt.Errorf("floe-go-example: cannot listen on %s: %w", listen, err)
		}
		return &listener{Listener: l, network: "tcp", address: l.Addr().String(), sidecar: true, creds: creds}, nil
	default:
		return nil, fmt.Errorf("floe-go-example: FLOE_PLUGIN_LISTEN=%s: expected unix:///path or tcp://host:port", listen)
	}
}

func unixListener(path string, sidecar bool) (*listener, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("floe-go-example: cannot listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("floe-go-example: cannot restrict %s: %w", path, err)
	}
	return &listener{Listener: l, network: "unix", address: path, socketPath: path, sidecar: sidecar}, nil
}

// tcpCredentials: TLS with FLOE_PLUGIN_TLS_CERT and _KEY, mTLS when
// FLOE_PLUGIN_TLS_CLIENT_CA is set too, plain TCP only with FLOE_PLUGIN_INSECURE=1.
func tcpCredentials() (credentials.TransportCredentials, error) {
	cert, key := os.Getenv("FLOE_PLUGIN_TLS_CERT"), os.Getenv("FLOE_PLUGIN_TLS_KEY")
	if cert != "" && key != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("floe-go-example: TLS certificate: %w", err)
		}
		config := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
		if ca := os.Getenv("FLOE_PLUGIN_TLS_CLIENT_CA"); ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return nil, fmt.Errorf("floe-go-example: client CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("floe-go-example: client CA %s holds no PEM certificate", ca)
			}
			config.ClientCAs = pool
			config.ClientAuth = tls.RequireAndVerifyClientCert
		}
		return credentials.NewTLS(config), nil
	}
	if os.Getenv("FLOE_PLUGIN_INSECURE") == "1" {
		return nil, nil
	}
	return nil, errors.New("floe-go-example: a TCP listener needs TLS: set FLOE_PLUGIN_TLS_CERT and FLOE_PLUGIN_TLS_KEY (and FLOE_PLUGIN_TLS_CLIENT_CA for mTLS), or FLOE_PLUGIN_INSECURE=1 for loopback tests")
}

// newLogger writes the protocol's stderr JSON lines: level, msg, time.
func newLogger(level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{
		Level: l,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey {
				return slog.String("level", strings.ToLower(a.Value.String()))
			}
			return a
		},
	}))
}
