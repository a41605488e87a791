package intake_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/mailbox"
)

// countingSource counts moves; with refuseMany its MoveMany fails
// permanently (as for a set the server refuses as a whole).
type countingSource struct {
	intake.Source
	refuseMany     bool
	moves, manyOps *atomic.Int64
}

func (s countingSource) Move(ctx context.Context, uid uint32, folder string) error {
	s.moves.Add(1)
	return s.Source.Move(ctx, uid, folder)
}

func (s countingSource) MoveMany(ctx context.Context, uids []uint32, folder string) error {
	s.manyOps.Add(1)
	if s.refuseMany {
		return &mailbox.Error{Op: "move", Temporary: false, Err: errors.New("injected: set refused")}
	}
	return s.Source.MoveMany(ctx, uids, folder)
}

// Decided letters are moved per folder with MoveMany; when a set is
// refused permanently, its letters are moved one by one instead.
func TestMoveDecidedGroupsAndFallsBack(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		f := newFlow(t, "sqlite:"+t.TempDir()+"/store.db")
		f.cfg.Replies.PerRecipientPerDay = 0
		var moves, many atomic.Int64
		f.wrap = func(s intake.Source) intake.Source {
			return countingSource{Source: s, refuseMany: refuse, moves: &moves, manyOps: &many}
		}
		for _, l := range f.letters {
			f.deliver(l)
		}
		n := len(f.letters)
		stop := f.daemon("m", false)
		f.settle(n, true)
		stop()
		if got := f.inboxCount("ekase") + f.inboxCount("pasts"); got != 0 {
			t.Fatalf("refuse=%v: %d messages left in the inboxes", refuse, got)
		}
		t.Logf("refuse=%v: %d letters, %d MoveMany, %d Move", refuse, n, many.Load(), moves.Load())
		if many.Load() == 0 || many.Load() > int64(n) {
			t.Errorf("refuse=%v: %d MoveMany calls for %d letters", refuse, many.Load(), n)
		}
		if want := map[bool]int64{false: 0, true: int64(n)}[refuse]; moves.Load() != want {
			t.Errorf("refuse=%v: %d single moves, want %d", refuse, moves.Load(), want)
		}
	}
}
