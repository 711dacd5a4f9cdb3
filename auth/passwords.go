package auth

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes admin passwords with bcrypt.
type Passwords struct {
	// Cost is bcrypt's work factor; 0 → 12. Tests use bcrypt.MinCost.
	Cost int
}

// dummyHash is compared against when the admin does not exist, so an unknown username costs
// the same time as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("sharecast-dummy-password"), bcrypt.MinCost)

// Hash returns the stored form of password.
func (p Passwords) Hash(password string) (string, error) {
	if len(password) < 10 {
		return "", ErrWeakPassword
	}
	if len(password) > 72 { // bcrypt reads only 72 bytes; refuse rather than silently truncate
		return "", ErrWeakPassword
	}
	cost := p.Cost
	if cost == 0 {
		cost = 12
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(b), err
}

// Check reports whether password matches hash; an empty hash is checked against a dummy so
// the timing does not reveal whether the account exists.
func (p Passwords) Check(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// ErrWeakPassword refuses passwords shorter than 10 or longer than 72 bytes.
var ErrWeakPassword = errors.New("password must be 10 to 72 bytes long")
