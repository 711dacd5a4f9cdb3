package fontfile_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/leaderboard/fontfile"
)

func TestLoaderSaysWhatToInstall(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.ttf")
	if err := os.WriteFile(junk, []byte("this is not a font"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		loader *fontfile.Loader
		says   []string
	}{
		{"nothing installed", &fontfile.Loader{Candidates: []string{filepath.Join(dir, "none.ttc")}}, []string{"fonts-wqy-zenhei", "SHARECAST_FONT_PATH", "none.ttc"}},
		{"configured path missing", &fontfile.Loader{Path: filepath.Join(dir, "gone.ttf")}, []string{"SHARECAST_FONT_PATH=", "gone.ttf"}},
		{"configured file is not TrueType", &fontfile.Loader{Path: junk}, []string{"not a TrueType font", "fonts-wqy-zenhei"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.loader.Font(context.Background())
			if apperr.KindOf(err) != apperr.Unavailable || apperr.CodeOf(err) != leaderboard.CodeFontMissing {
				t.Fatalf("want 503 FONT_MISSING, got %v", err)
			}
			e, _ := apperr.As(err)
			for _, s := range tc.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
		})
	}
}

// The machine's font (fonts-wqy-zenhei, installed by .ci/run) is found at its Debian path.
func TestLoaderFindsTheDebianFont(t *testing.T) {
	l := &fontfile.Loader{Path: os.Getenv("SHARECAST_FONT_PATH")}
	f, err := l.Font(context.Background())
	if err != nil {
		t.Fatalf("%v (install fonts-wqy-zenhei; .ci/run does)", err)
	}
	if !f.Has('排') || f.Name() == "" {
		t.Fatalf("font %q lacks Chinese", f.Name())
	}
	again, _ := l.Font(context.Background())
	if again != f {
		t.Fatal("the font is parsed again on every call")
	}
}
