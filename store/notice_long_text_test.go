package store_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/store/storetest"
)

// A Channels notice's description and status wording come from WeChat: long Chinese text is
// stored cut by bytes on a rune boundary instead of failing the notice sync.
func TestNoticeLongChineseText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b, err := s.CreateBrand(ctx, brands.Brand{Slug: "ln", Name: "LN", OutBillPrefix: "LN", Timezone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		desc := strings.Repeat("今晚八点直播间福利多多", 30) // 300 characters, 900 bytes
		n, err := s.PutNotice(ctx, liveops.Notice{BrandID: b.ID, NoticeID: "long", StatusWording: "预约已开始预约已开始预约已开始", Description: desc,
			StartAt: now.Add(time.Hour), State: liveops.NoticeAvailable, FirstSeenAt: now, SyncedAt: now})
		if err != nil {
			t.Fatalf("insert a notice with a long description: %v", err)
		}
		n.Description = desc + "更新"
		if _, err := s.PutNotice(ctx, n); err != nil {
			t.Fatalf("update a notice with a long description: %v", err)
		}
		got, err := s.NoticeByNoticeID(ctx, b.ID, "long")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Description) > 512 || len(got.Description) < 500 || !utf8.ValidString(got.Description) || !strings.HasPrefix(desc, got.Description) ||
			len(got.StatusWording) > 32 || !utf8.ValidString(got.StatusWording) {
			t.Fatalf("stored description %d bytes, wording %q", len(got.Description), got.StatusWording)
		}
	})
}
