package services

import (
	"context"
	"log/slog"
	"math"
	"time"

	"tienda/apperr"
)

// Counter counts events per key in fixed windows: the first event of a key starts its window,
// and the count resets when the window ends. ratelimit.RedisCounter shares counts between
// processes; ratelimit.MemoryCounter keeps them in this process.
type Counter interface {
	// Incr counts one event for each key and returns each key's new count and how long its
	// window still runs, atomically per key.
	Incr(ctx context.Context, keys []string) ([]int64, []time.Duration, error)
	// Decr takes one event back from key, if its window still runs.
	Decr(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
	// Count returns key's count in its running window (0 when there is none).
	Count(ctx context.Context, key string) (int64, error)
}

// LoginThrottle keeps password guessing out without letting anyone lock an account
// (docs/decisions/0016-login-lockout-policy.md). Failures are counted on three keys:
//
//   - the (email, client address) pair, up to Max: a guesser at one address is stopped early,
//     and only that pair is refused, so the owner elsewhere is not;
//   - the client address, up to IPMax, for any email: one host spraying many accounts;
//   - the account, up to AccountMax, from any address: past it only the account's known
//     addresses (where it logged in within Known's window) may still try, so a distributed
//     guesser gets AccountMax guesses per window while the owner at home still logs in.
//
// Every attempt is counted before its password is checked, and counting first is what makes the
// limits hold under concurrency. An attempt that is refused (429) is taken back at once: it
// checked no password, so it must not count against anyone. A successful attempt is taken back
// too, clears its pair and makes its address known to the account.
type LoginThrottle struct {
	// Counter counts failures within the login window.
	Counter Counter
	// Known remembers (email, address) pairs that logged in, over its own, longer window.
	Known Counter
	// Max is per (email, address), IPMax per address, AccountMax per email.
	Max, IPMax, AccountMax int64
	Log                    *slog.Logger
}

// loginAttempt names the keys of one login attempt.
type loginAttempt struct{ pair, ip, account, known string }

func newLoginAttempt(email, ip string) loginAttempt {
	return loginAttempt{
		pair: "pair:" + email + "|" + ip, ip: "ip:" + ip, account: "email:" + email,
		known: "known:" + email + "|" + ip,
	}
}

// Attempt counts a login attempt and returns a 429 error with Retry-After when the attempt is
// refused, having taken it back. When the counter cannot be reached (Redis down), it lets the
// login through and logs a warning: an outage of the throttle should not lock everyone out.
func (t LoginThrottle) Attempt(ctx context.Context, a loginAttempt) error {
	keys := []string{a.pair, a.ip, a.account}
	counts, left, err := t.Counter.Incr(ctx, keys)
	if err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; allowing the attempt", "error", err)
		return nil
	}
	var wait time.Duration
	if counts[0] > t.Max {
		wait = max(wait, left[0])
	}
	if counts[1] > t.IPMax {
		wait = max(wait, left[1])
	}
	if counts[2] > t.AccountMax && wait == 0 && !t.known(ctx, a) {
		wait = left[2]
	}
	if wait == 0 {
		return nil
	}
	for _, k := range keys {
		if err := t.Counter.Decr(ctx, k); err != nil {
			t.Log.WarnContext(ctx, "login throttle unavailable; refused attempt not taken back", "error", err)
		}
	}
	e := apperr.New(apperr.CodeRateLimited, "too many failed logins; try again later")
	e.RetryAfter = int(math.Ceil(max(wait, time.Second).Seconds()))
	return e
}

// known reports whether the account logged in from the attempt's address within Known's window.
func (t LoginThrottle) known(ctx context.Context, a loginAttempt) bool {
	if t.Known == nil {
		return false
	}
	n, err := t.Known.Count(ctx, a.known)
	if err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; address taken as unknown", "error", err)
	}
	return n > 0
}

// Succeeded takes a successful attempt back: the pair's failures are forgotten, the address's
// and the account's counts lose this attempt (their earlier failures stay counted), and the
// address becomes known to the account.
func (t LoginThrottle) Succeeded(ctx context.Context, a loginAttempt) {
	if err := t.Counter.Reset(ctx, a.pair); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; failures not cleared", "error", err)
	}
	for _, k := range []string{a.ip, a.account} {
		if err := t.Counter.Decr(ctx, k); err != nil {
			t.Log.WarnContext(ctx, "login throttle unavailable; success not taken back", "error", err)
		}
	}
	if t.Known != nil {
		if _, _, err := t.Known.Incr(ctx, []string{a.known}); err != nil {
			t.Log.WarnContext(ctx, "login throttle unavailable; address not remembered", "error", err)
		}
	}
}

// Cleared forgets the account-wide failure count of email, after its owner proved control of
// the mailbox with a password reset; the per-address counts stay.
func (t LoginThrottle) Cleared(ctx context.Context, email string) {
	if err := t.Counter.Reset(ctx, newLoginAttempt(email, "").account); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; account failures not cleared", "error", err)
	}
}
