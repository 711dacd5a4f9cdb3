package store

import (
	"context"
	"time"
)

// Retention (README "Retention"; the periodic jobs.Retention job calls these per brand).

// PurgeTouchesBefore deletes a brand's touches recorded before cutoff and answers how many.
func (s *Store) PurgeTouchesBefore(ctx context.Context, brandID string, cutoff time.Time) (int64, error) {
	return s.execRebound(ctx, `DELETE FROM touches WHERE brand_id = ? AND created_at < ?`, brandID, dbTime(cutoff))
}

// ForgetClientIPsBefore blanks the client IP addresses of a brand's touches and reservations
// recorded before cutoff and answers how many rows changed. The rows themselves stay: they
// are the attribution and the board.
func (s *Store) ForgetClientIPsBefore(ctx context.Context, brandID string, cutoff time.Time) (int64, error) {
	var total int64
	for _, table := range []string{"touches", "reservations"} {
		n, err := s.execRebound(ctx, `UPDATE `+table+` SET client_ip = '' WHERE brand_id = ? AND created_at < ? AND client_ip <> ''`,
			brandID, dbTime(cutoff))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (s *Store) execRebound(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.conn(ctx).ExecContext(ctx, s.rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
