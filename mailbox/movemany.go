package mailbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// moveChunk caps the UIDs one MoveMany command names, so that a long
// list of scattered UIDs stays a short command line.
const moveChunk = 256

// MoveMany moves the messages with the given UIDs to folder, as Move does
// for one, with one UID MOVE (RFC 6851) for the whole set when the server
// offers MOVE; otherwise UID COPY, UID STORE +FLAGS (\Deleted) and, with
// UIDPLUS, UID EXPUNGE of that set (without UIDPLUS the messages stay
// flagged \Deleted, as with Move). It is idempotent: UIDs no longer in the
// mailbox (and UID 0, which never is) are skipped, so a set that is gone
// entirely succeeds and does nothing. The folder is created when the
// server says it is missing. Errors are classified as Move's are; the
// context ends the command (and the connection) as for every command.
// More than a few hundred UIDs are moved in several commands, in UID
// order; on an error the earlier ones stay moved.
func (c *Conn) MoveMany(ctx context.Context, uids []uint32, folder string) error {
	if folder == "" {
		return permanent("move", fmt.Errorf("%w: empty folder name", ErrConfig))
	}
	sorted := slices.Clone(uids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	if len(sorted) > 0 && sorted[0] == 0 {
		sorted = sorted[1:]
	}
	for len(sorted) > 0 {
		n := min(len(sorted), moveChunk)
		var set imap.UIDSet
		for _, u := range sorted[:n] {
			set.AddNum(imap.UID(u))
		}
		sorted = sorted[n:]
		err := c.do(ctx, "move", func() error {
			// As in Move: what is gone is done already, and servers that
			// answer COPY of nothing with a broken COPYUID are spared.
			have, err := c.present(set)
			if err != nil || len(have) == 0 {
				return err
			}
			return c.moveSet(have, folder)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
