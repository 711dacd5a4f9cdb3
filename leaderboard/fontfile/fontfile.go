// Package fontfile finds the poster font on disk: SHARECAST_FONT_PATH when set, else the
// paths where Debian's fonts-wqy-zenhei, fonts-wqy-microhei and fonts-droid-fallback install
// their TrueType CJK fonts. It is the only file I/O of the leaderboard outputs; the renderers
// take the parsed font.
package fontfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sharecast/sharecast/leaderboard"
)

// DebianPaths are tried in order when no path is configured.
var DebianPaths = []string{
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}

// maxFontBytes bounds what is read into memory (wqy-zenhei is 16 MB).
const maxFontBytes = 64 << 20

// retryEvery spaces out new looks at the disk after a miss, so a font installed while the
// service runs is picked up without a restart and without a stat storm.
const retryEvery = 30 * time.Second

// Loader loads the font once and keeps it. Safe for concurrent use.
type Loader struct {
	// Path is SHARECAST_FONT_PATH; when set, only it is tried.
	Path string
	// Candidates replace DebianPaths when not nil (tests).
	Candidates []string

	mu      sync.Mutex
	font    *leaderboard.Font
	lastErr error
	lastTry time.Time
}

// Font answers the parsed font, or a FONT_MISSING error saying what was tried.
func (l *Loader) Font(context.Context) (*leaderboard.Font, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.font != nil {
		return l.font, nil
	}
	if l.lastErr != nil && time.Since(l.lastTry) < retryEvery {
		return nil, l.lastErr
	}
	l.lastTry = time.Now()
	f, err := l.load()
	if err != nil {
		l.lastErr = err
		return nil, err
	}
	l.font, l.lastErr = f, nil
	return f, nil
}

func (l *Loader) load() (*leaderboard.Font, error) {
	if l.Path != "" {
		f, err := parseFile(l.Path)
		if err != nil {
			return nil, leaderboard.FontMissing(fmt.Sprintf("SHARECAST_FONT_PATH=%s: %v", l.Path, err))
		}
		return f, nil
	}
	paths := l.Candidates
	if paths == nil {
		paths = DebianPaths
	}
	var tried []string
	for _, p := range paths {
		f, err := parseFile(p)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			tried = append(tried, p+": "+err.Error())
		}
	}
	detail := "none of " + strings.Join(paths, ", ") + " exists"
	if len(tried) > 0 {
		detail = "tried " + strings.Join(tried, "; ")
	}
	return nil, leaderboard.FontMissing(detail)
}

func parseFile(path string) (*leaderboard.Font, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFontBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFontBytes {
		return nil, fmt.Errorf("larger than %d MB", maxFontBytes>>20)
	}
	return leaderboard.ParseFont(data)
}
