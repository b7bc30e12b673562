package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/cxmhq/cxm"
)

// blockedPrefixes are the address ranges besides private, loopback,
// link-local, unspecified and multicast ones that a webhook may not
// reach: "this network", carrier-grade NAT, IETF protocol assignments,
// benchmarking, reserved and broadcast.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Guard keeps webhooks from reaching internal addresses (SSRF): private,
// loopback, link-local, unspecified, multicast and carrier-grade NAT
// addresses are refused unless they lie in Allow. It checks URLs when
// they are saved and every address when a connection is dialled, so a
// host name that resolves elsewhere later (DNS rebinding) cannot pass.
type Guard struct {
	// Allow lists the ranges that may be reached even though internal,
	// such as 127.0.0.0/8 in tests.
	Allow []netip.Prefix
	// LookupIP resolves a host name; nil means net.DefaultResolver.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
}

// ParseAllowlist reads a comma-separated list of CIDR ranges or single
// addresses, such as "127.0.0.0/8,10.1.2.3".
func ParseAllowlist(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("webhook allowlist: %q is neither a CIDR range nor an address", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Allowed reports whether a webhook may connect to a.
func (g *Guard) Allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	if !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// CheckURL checks a webhook URL as it is saved: http or https, a host, no
// credentials, no fragment, and every address the host resolves to
// allowed. Its failures are cxm.EInvalid errors on the field "url".
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	bad := func(reason string) error { return cxm.Invalid(cxm.FieldError{Field: "url", Reason: reason}) }
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("must start with http:// or https://")
	}
	if u.User != nil {
		return bad("must not carry a user name or password")
	}
	if u.Fragment != "" {
		return bad("must not have a #fragment")
	}
	host := u.Hostname()
	if host == "" {
		return bad("has no host")
	}
	addrs, err := g.lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return bad(fmt.Sprintf("host %s does not resolve", host))
	}
	for _, a := range addrs {
		if !g.Allowed(a) {
			return bad(fmt.Sprintf("host %s resolves to %s, a private, loopback, link-local or otherwise internal address that is not in the webhook allowlist", host, a.Unmap()))
		}
	}
	return nil
}

// lookup resolves host, or parses it when it is an address.
func (g *Guard) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{a}, nil
	}
	if g.LookupIP != nil {
		return g.LookupIP(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// errBlocked is the dial-time refusal of an internal address.
var errBlocked = errors.New("address is internal and not in the webhook allowlist")

// control refuses, just before connecting, any address not allowed.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial %s: %w", address, err)
	}
	if !g.Allowed(ap.Addr()) {
		return fmt.Errorf("webhook dial %s: %w", ap.Addr().Unmap(), errBlocked)
	}
	return nil
}

// Client returns an HTTP client for webhooks: it dials only allowed
// addresses, uses no proxy, follows no redirect and gives up after timeout.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: g.control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   10,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
