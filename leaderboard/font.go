package leaderboard

import (
	"context"
	"errors"
	"fmt"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"

	"github.com/sharecast/sharecast/apperr"
)

// Font is a parsed TrueType font for posters. golang/freetype reads TrueType outlines and the
// first face of a .ttc collection (Debian's fonts-wqy-zenhei); x/image's sfnt refuses that
// collection (its tables are not 4-byte aligned) and nothing in pure Go reads the CFF outlines
// of fonts-noto-cjk, so a CFF font is refused here with a clear error.
type Font struct {
	f    *truetype.Font
	name string
}

// ParseFont parses a TrueType font or collection from its bytes.
func ParseFont(data []byte) (*Font, error) {
	f, err := truetype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("not a TrueType font (CFF/OpenType-PS outlines are not supported): %w", err)
	}
	if f.Index('中') == 0 {
		return nil, errors.New("the font has no Chinese glyphs")
	}
	return &Font{f: f, name: f.Name(truetype.NameIDFontFullName)}, nil
}

// Name is the font's full name.
func (f *Font) Name() string { return f.name }

// Has reports whether the font draws r (glyph 0 is the "missing" box: tofu).
func (f *Font) Has(r rune) bool { return f.f.Index(r) != 0 }

// face returns a face of size px. Faces cache glyphs and are not safe for concurrent use, so
// every render makes its own; the parsed font is shared read-only.
func (f *Font) face(px float64) font.Face {
	return truetype.NewFace(f.f, &truetype.Options{Size: px, DPI: 72, Hinting: font.HintingNone})
}

// FontPackage is what an operator installs when no font is found.
const FontPackage = "fonts-wqy-zenhei"

// CodeFontMissing answers poster requests while no CJK TrueType font is available.
const CodeFontMissing = "FONT_MISSING"

// FontMissing is the 503 the poster routes answer without a usable font; detail says what was
// tried.
func FontMissing(detail string) error {
	return apperr.New(apperr.Unavailable, CodeFontMissing,
		"posters need a Chinese TrueType font: install the Debian package "+FontPackage+
			" (apt-get install "+FontPackage+") or set SHARECAST_FONT_PATH to a TrueType .ttf/.ttc; "+detail)
}

// FontSource hands out the poster font; the edge finds it on disk (leaderboard/fontfile).
type FontSource interface {
	// Font answers the font or a FONT_MISSING error.
	Font(ctx context.Context) (*Font, error)
}
