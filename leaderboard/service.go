package leaderboard

import (
	"context"
	"sync"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
)

// Live is what the boards need to know of a live.
type Live struct {
	ID, BrandID   string
	CreatedAt     time.Time  // origin of the packed tie-break seconds
	ActualStartAt *time.Time // start of the ignition window; nil before the live starts
}

// LiveInfo is a live as the outputs show it.
type LiveInfo struct {
	Live
	Title     string
	Target    int64
	StartAt   time.Time // the actual start once started, else the planned one
	BrandName string
	Location  *time.Location
}

// Source answers standings from the source of truth (PostgreSQL / SQLite at the edge).
type Source interface {
	// Standing answers one inviter's standing on k (count 0 when off the board).
	Standing(ctx context.Context, l Live, k Key, memberID string) (Standing, error)
	// Standings answers every inviter with a count > 0 on k (rebuild).
	Standings(ctx context.Context, l Live, k Key) ([]Standing, error)
	// Groups lists the group labels that have counted reservations (rebuild).
	Groups(ctx context.Context, l Live) ([]string, error)
	// Displays answers members' display settings.
	Displays(ctx context.Context, brandID string, ids []string) (map[string]Display, error)
	// Total counts the live's counted reservations (group "" = all).
	Total(ctx context.Context, l Live, group string) (int64, error)
}

// Lives finds a brand's live (apperr NotFound for unknown ids and other brands' lives).
type Lives interface {
	LiveInfo(ctx context.Context, brandID, liveID string) (LiveInfo, error)
}

// MemberLinks answers a member's own link for a live: their group link when group is given,
// else their "other" link, created when missing; the URL link and QR image may be empty when
// WeChat could not make them.
type MemberLinks interface {
	MemberLink(ctx context.Context, brandID, memberID, liveID, group string) (url string, qr []byte, err error)
}

// Service reads and maintains boards. Boards are projections: PostgreSQL is the truth,
// Refresh runs after each commit and Rebuild rewrites them at any time.
type Service struct {
	Board  Board
	Source Source
	Lives  Lives
	Links  MemberLinks // for member snapshots; nil → no link or QR
	Clock  clock.Clock // nil → the wall clock

	cache liveCache
}

// Errors.
var errBadWindow = apperr.InvalidArgument("window must be live or ignition")

// keysFor names the boards one change touches.
func keysFor(liveID, window, group string) []Key {
	keys := []Key{{LiveID: liveID, Window: window}}
	if window == WindowLive && group != "" {
		keys = append(keys, Key{LiveID: liveID, Window: window, Group: group})
	}
	return keys
}

// Refresh recomputes one inviter's score on the boards of window (and group) from the
// source and writes it. Under the per-inviter lock each refresh reads the newest committed
// state, so whichever runs last writes the truth, whatever the order of the commits.
func (s *Service) Refresh(ctx context.Context, l Live, window, group, memberID string) error {
	if window != WindowLive && window != WindowIgnition {
		return errBadWindow
	}
	return s.Board.Lock(ctx, l.ID, memberID, func(ctx context.Context) error {
		for _, k := range keysFor(l.ID, window, group) {
			st, err := s.Source.Standing(ctx, l, k, memberID)
			if err != nil {
				return err
			}
			score, err := Pack(st.Count, st.ReachedAt, l.CreatedAt)
			if err != nil {
				return err
			}
			if err := s.Board.Set(ctx, k, memberID, score); err != nil {
				return err
			}
		}
		return nil
	})
}

// Rebuild rewrites every board of a live from the source: the live board, one per group
// label, and the ignition board. progress (may be nil) is told after each board with the
// number of boards done, their total and the board's size.
func (s *Service) Rebuild(ctx context.Context, l Live, progress func(done, total int, k Key, size int)) error {
	groups, err := s.Source.Groups(ctx, l)
	if err != nil {
		return err
	}
	keys := []Key{{LiveID: l.ID, Window: WindowLive}, {LiveID: l.ID, Window: WindowIgnition}}
	for _, g := range groups {
		keys = append(keys, Key{LiveID: l.ID, Window: WindowLive, Group: g})
	}
	for i, k := range keys {
		sts, err := s.Source.Standings(ctx, l, k)
		if err != nil {
			return err
		}
		entries := make([]Scored, 0, len(sts))
		for _, st := range sts {
			score, err := Pack(st.Count, st.ReachedAt, l.CreatedAt)
			if err != nil {
				return err
			}
			if score > 0 {
				entries = append(entries, Scored{MemberID: st.MemberID, Score: score})
			}
		}
		if err := s.Board.Replace(ctx, k, entries); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, len(keys), k, len(entries))
		}
	}
	return nil
}

// ReadRequest asks for a board as one caller sees it.
type ReadRequest struct {
	BrandID  string
	LiveID   string
	Window   string // "" → live
	Group    string // only with the live window
	Limit    int    // ≤ 0 → 50, capped at 200
	CallerID string // the member asking ("" for admins); their entry keeps its id
}

// Entry is one row of a board as shown.
type Entry struct {
	Rank      int
	MemberID  string // "" when anonymous (except the caller's own entry)
	Nickname  string
	Count     int64
	Anonymous bool
}

// Me is the caller's own standing.
type Me struct {
	Rank  int // 0 when off the board
	Count int64
}

// View is a board as shown to one caller.
type View struct {
	Key     Key
	Live    LiveInfo
	Entries []Entry
	Me      Me
}

// UnnamedMember is shown for members who never set a nickname (WeChat gives none).
const UnnamedMember = "微信用户"

func (r ReadRequest) key() (Key, error) {
	k := Key{LiveID: r.LiveID, Window: r.Window, Group: r.Group}
	if k.Window == "" {
		k.Window = WindowLive
	}
	switch {
	case k.Window != WindowLive && k.Window != WindowIgnition:
		return Key{}, errBadWindow
	case k.Group != "" && k.Window != WindowLive:
		return Key{}, apperr.InvalidArgument("group only filters the live window")
	case len(k.Group) > 64:
		return Key{}, apperr.InvalidArgument("group must be at most 32 characters")
	}
	return k, nil
}

// Read answers the top entries of a board and the caller's own rank from the board store
// alone: O(log n + limit) in Redis, no SQL on the hot path (the live and the names are cached).
func (s *Service) Read(ctx context.Context, r ReadRequest) (View, error) {
	k, err := r.key()
	if err != nil {
		return View{}, err
	}
	info, err := s.liveInfo(ctx, r.BrandID, r.LiveID)
	if err != nil {
		return View{}, err
	}
	limit := r.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	top, err := s.Board.Top(ctx, k, limit)
	if err != nil {
		return View{}, err
	}
	names, err := s.names(ctx, r.BrandID, top)
	if err != nil {
		return View{}, err
	}
	v := View{Key: k, Live: info, Entries: make([]Entry, len(top))}
	for i, e := range top {
		count, _ := Unpack(e.Score)
		d := names[e.MemberID]
		en := Entry{Rank: i + 1, MemberID: e.MemberID, Nickname: d.Nickname, Count: count}
		if en.Nickname == "" {
			en.Nickname = UnnamedMember
		}
		if !d.Visible {
			en.Anonymous = true
			if e.MemberID != r.CallerID {
				en.MemberID, en.Nickname = "", Anonymous
			}
		}
		v.Entries[i] = en
	}
	if r.CallerID != "" {
		rank, score, ok, err := s.Board.Rank(ctx, k, r.CallerID)
		if err != nil {
			return View{}, err
		}
		if ok && score > 0 {
			v.Me.Rank = int(rank) + 1
			v.Me.Count, _ = Unpack(score)
		}
	}
	return v, nil
}

// names reads the display of the listed members from the cache, filling misses from the
// source once (the cache expires, so a changed nickname shows within minutes).
func (s *Service) names(ctx context.Context, brandID string, top []Scored) (map[string]Display, error) {
	ids := make([]string, len(top))
	for i, e := range top {
		ids[i] = e.MemberID
	}
	names, err := s.Board.Names(ctx, brandID, ids)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return names, nil
	}
	d, err := s.Source.Displays(ctx, brandID, missing)
	if err != nil {
		return nil, err
	}
	for id, v := range d {
		names[id] = v
	}
	if err := s.Board.PutNames(ctx, brandID, d); err != nil {
		return nil, err
	}
	return names, nil
}

// Snapshot implements Snapshots: one board, ranked and named, for the outputs (text,
// poster, public page, WeCom). A member request carries their row, link and QR image.
func (s *Service) Snapshot(ctx context.Context, r SnapshotRequest) (Snapshot, error) {
	topN := r.TopN
	if topN <= 0 {
		topN = 10
	}
	topN = min(topN, 100)
	v, err := s.Read(ctx, ReadRequest{BrandID: r.BrandID, LiveID: r.LiveID, Window: r.Window, Group: r.Group,
		Limit: topN, CallerID: r.MemberID})
	if err != nil {
		return Snapshot{}, err
	}
	total, err := s.Source.Total(ctx, v.Live.Live, v.Key.Group)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{BrandName: v.Live.BrandName, LiveID: v.Live.ID, LiveTitle: v.Live.Title, Window: v.Key.Window,
		Group: v.Key.Group, StartAt: v.Live.StartAt, Location: v.Live.Location, TakenAt: s.now(),
		Target: v.Live.Target, Total: total, Rows: make([]Row, len(v.Entries))}
	if snap.Location == nil {
		snap.Location = time.UTC
	}
	for i, e := range v.Entries {
		name := e.Nickname
		if e.Anonymous {
			name = Anonymous // outputs leave the mini-program: even the caller's own row is anonymous
		}
		snap.Rows[i] = Row{Rank: e.Rank, Name: name, Count: e.Count, Anonymous: e.Anonymous}
	}
	if r.MemberID == "" {
		return snap, nil
	}
	d, err := s.Source.Displays(ctx, r.BrandID, []string{r.MemberID})
	if err != nil {
		return Snapshot{}, err
	}
	me, ok := d[r.MemberID]
	if !ok {
		return Snapshot{}, apperr.NotFoundf("no such member")
	}
	row := Row{Rank: v.Me.Rank, Name: me.Nickname, Count: v.Me.Count, Anonymous: !me.Visible}
	if row.Name == "" {
		row.Name = UnnamedMember
	}
	snap.Me = &row
	if s.Links != nil {
		url, qr, err := s.Links.MemberLink(ctx, r.BrandID, r.MemberID, r.LiveID, r.Group)
		if err != nil {
			return Snapshot{}, err
		}
		snap.LinkURL, snap.QR = url, qr
	}
	return snap, nil
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// liveInfo is Lives.LiveInfo behind a short cache: the board read path runs thousands of
// times a second during a live and the live's fields barely change.
func (s *Service) liveInfo(ctx context.Context, brandID, liveID string) (LiveInfo, error) {
	if liveID == "" || len(liveID) > 64 {
		return LiveInfo{}, apperr.NotFoundf("no such live")
	}
	key := brandID + "/" + liveID
	if info, ok := s.cache.get(key); ok {
		return info, nil
	}
	info, err := s.Lives.LiveInfo(ctx, brandID, liveID)
	if err != nil {
		return LiveInfo{}, err
	}
	s.cache.put(key, info)
	return info, nil
}

// liveCacheTTL bounds how stale a live's title or start shows on a board; liveCacheSize
// bounds the memory (lives running at once are few).
const (
	liveCacheTTL  = 5 * time.Second
	liveCacheSize = 4096
)

type liveCache struct {
	mu sync.Mutex
	m  map[string]cachedLive
}

type cachedLive struct {
	info LiveInfo
	at   time.Time
}

func (c *liveCache) get(key string) (LiveInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Since(e.at) > liveCacheTTL {
		return LiveInfo{}, false
	}
	return e.info, true
}

func (c *liveCache) put(key string, info LiveInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= liveCacheSize {
		c.m = map[string]cachedLive{} // dropping all is fine: it refills in one read per live
	}
	c.m[key] = cachedLive{info: info, at: time.Now()}
}
