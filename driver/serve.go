package driver

import (
	"context"
	"net"
)

// Serve answers synchronizations on ln for c's database: another bxdb
// database running `SYNC TABLE t WITH 'bxdb://host:port'` against ln's
// address synchronizes its table t with this database's table t (which
// must exist, with the same definition). Serve returns nil when ctx is
// done, or ln's Accept error; it closes ln. A synchronization holds the
// database's writer lock while it runs, like a write transaction; a failed
// one changes nothing here and is reported to logf (nil: not reported).
// `bxdb serve FILE` runs Serve; a program can also serve its own database
// while it uses it:
//
//	c, err := driver.NewConnector(&driver.Config{Path: "app.bxdb"})
//	db := sql.OpenDB(c)
//	ln, err := net.Listen("tcp", ":7466")
//	go c.Serve(ctx, ln, log.Printf)
func (c *Connector) Serve(ctx context.Context, ln net.Listener, logf func(format string, args ...any)) error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		ln.Close()
		return ErrConnectorClosed
	}
	c.se.retain()
	c.mu.Unlock()
	defer c.se.release()
	return c.se.eng.ServeSync(ctx, ln, logf)
}
