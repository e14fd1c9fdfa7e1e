package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// session is a signed-in admin: the cookie carries userID.tokenVersion.expiry and an HMAC of
// them. It holds no role: every request reads the user again and checks the token version, so a
// password change, a deactivation or a role change ends the session at once.
type session struct {
	UserID       uint
	TokenVersion int64
	Expires      time.Time
}

// flash is a one-time message shown on the page after a redirect.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

// sessions reads and writes the session and flash cookies.
type sessions struct {
	key    []byte
	secure bool
	ttl    time.Duration
	now    func() time.Time
	name   string
	flash  string
}

func newSessions(key []byte, secure bool, ttl time.Duration, now func() time.Time) sessions {
	s := sessions{key: key, secure: secure, ttl: ttl, now: now, name: "tienda_admin", flash: "tienda_flash"}
	if secure {
		// __Host-: the browser accepts the cookie only when Secure, from this host, for path /.
		s.name, s.flash = "__Host-"+s.name, "__Host-"+s.flash
	}
	return s
}

// sign returns payload with its MAC appended; purpose keeps a flash from passing for a session.
func (s sessions) sign(purpose, payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose + "\x00" + payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify returns the payload of a value sign made, or false.
func (s sessions) verify(purpose, value string) (string, bool) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return "", false
	}
	payload := value[:i]
	return payload, hmac.Equal([]byte(s.sign(purpose, payload)), []byte(value))
}

func (s sessions) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	}
}

// start sets the session cookie for a user who just signed in.
func (s sessions) start(w http.ResponseWriter, userID uint, tokenVersion int64) {
	exp := s.now().Add(s.ttl)
	payload := fmt.Sprintf("%d.%d.%d", userID, tokenVersion, exp.Unix())
	http.SetCookie(w, s.cookie(s.name, s.sign("session", payload), int(s.ttl.Seconds())))
}

// read returns the request's session when its cookie is intact and not expired.
func (s sessions) read(r *http.Request) (session, bool) {
	ck, err := r.Cookie(s.name)
	if err != nil {
		return session{}, false
	}
	payload, ok := s.verify("session", ck.Value)
	if !ok {
		return session{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return session{}, false
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 32)
	ver, err2 := strconv.ParseInt(parts[1], 10, 64)
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || id == 0 || !s.now().Before(time.Unix(exp, 0)) {
		return session{}, false
	}
	return session{UserID: uint(id), TokenVersion: ver, Expires: time.Unix(exp, 0)}, true
}

// clear ends the session in the browser.
func (s sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie(s.name, "", -1))
}

// setFlash keeps f for the next page.
func (s sessions) setFlash(w http.ResponseWriter, f flash) {
	payload := f.Kind + ":" + base64.RawURLEncoding.EncodeToString([]byte(f.Text))
	http.SetCookie(w, s.cookie(s.flash, s.sign("flash", payload), 60))
}

// takeFlash returns the pending flash message, if any, and removes it.
func (s sessions) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	ck, err := r.Cookie(s.flash)
	if err != nil {
		return nil
	}
	http.SetCookie(w, s.cookie(s.flash, "", -1))
	payload, ok := s.verify("flash", ck.Value)
	if !ok {
		return nil
	}
	kind, text, _ := strings.Cut(payload, ":")
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flash{Kind: kind, Text: string(b)}
}
