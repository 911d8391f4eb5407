// dns-loadgen: the load generator and the fast stand-in upstream of bench/dns (NOT part of vmlet).
//
//	dns-loadgen load -server 127.0.0.1:15053 -name reviews.ns.svc.cluster.local [-type A] [-c 16] [-n 200000] [-d 10s] [-tcp]
//	dns-loadgen serve -listen 0.0.0.0:53 -a 192.0.2.10
//
// load: a closed loop of -c workers, each with its own socket and one query in flight, until -n
// answers or -d elapse (both bound the run). Every answer is checked (ID, NOERROR, >= 1 answer);
// prints one JSON line: queries/s, p50/p99/max latency in microseconds, errors and timeouts.
// serve: answers every A query with -a (AAAA: NODATA) over UDP, as fast as Go can, so a forwarded
// name measures the proxy, not the upstream.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dns-loadgen load|serve ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "load":
		load(os.Args[2:])
	case "serve":
		serve(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: dns-loadgen load|serve ...")
		os.Exit(2)
	}
}

func query(id uint16, name string, qtype dnsmessage.Type) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	must(b.StartQuestions())
	must(b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}))
	out, err := b.Finish()
	must(err)
	return out
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// check: the answer to query id is NOERROR with at least one answer.
func check(msg []byte, id uint16) error {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return err
	}
	if h.ID != id {
		return fmt.Errorf("id %d, want %d", h.ID, id)
	}
	if h.RCode != dnsmessage.RCodeSuccess {
		return fmt.Errorf("rcode %v", h.RCode)
	}
	must(p.SkipAllQuestions())
	if _, err := p.AnswerHeader(); err != nil {
		return errors.New("no answer")
	}
	return nil
}

type result struct {
	Name      string  `json:"name"`
	Proto     string  `json:"proto"`
	Workers   int     `json:"workers"`
	Answers   int     `json:"answers"`
	Errors    int64   `json:"errors"`
	Timeouts  int64   `json:"timeouts"`
	Seconds   float64 `json:"seconds"`
	QPS       float64 `json:"qps"`
	P50us     float64 `json:"p50_us"`
	P99us     float64 `json:"p99_us"`
	MaxUs     float64 `json:"max_us"`
	FirstErr  string  `json:"first_error,omitempty"`
}

func load(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	server := fs.String("server", "127.0.0.1:15053", "DNS server")
	name := fs.String("name", "", "name to ask (FQDN)")
	typ := fs.String("type", "A", "A or AAAA")
	c := fs.Int("c", 16, "workers (queries in flight)")
	n := fs.Int("n", 200000, "stop after this many answers")
	d := fs.Duration("d", 10*time.Second, "stop after this long")
	useTCP := fs.Bool("tcp", false, "TCP (one connection per worker) instead of UDP")
	must(fs.Parse(args))
	qt := dnsmessage.TypeA
	if *typ == "AAAA" {
		qt = dnsmessage.TypeAAAA
	}
	fqdn := *name
	if fqdn == "" || fqdn[len(fqdn)-1] != '.' {
		fqdn += "."
	}
	var done atomic.Int64
	var errs, timeouts atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, *c)
	deadline := time.Now().Add(*d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			proto := "udp"
			if *useTCP {
				proto = "tcp"
			}
			conn, err := net.Dial(proto, *server)
			if err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			defer conn.Close()
			buf := make([]byte, 65535)
			mine := make([]time.Duration, 0, *n / *c + 1)
			for id := uint16(w * 4099); ; id++ {
				if done.Load() >= int64(*n) || time.Now().After(deadline) {
					break
				}
				q := query(id, fqdn, qt)
				t0 := time.Now()
				must(conn.SetDeadline(t0.Add(time.Second)))
				var msg []byte
				if *useTCP {
					framed := binary.BigEndian.AppendUint16(nil, uint16(len(q)))
					if _, err = conn.Write(append(framed, q...)); err == nil {
						if _, err = io.ReadFull(conn, buf[:2]); err == nil {
							l := int(binary.BigEndian.Uint16(buf[:2]))
							_, err = io.ReadFull(conn, buf[:l])
							msg = buf[:l]
						}
					}
				} else {
					if _, err = conn.Write(q); err == nil {
						var k int
						k, err = conn.Read(buf)
						msg = buf[:k]
					}
				}
				if err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						timeouts.Add(1)
						if *useTCP {
							return
						}
						continue
					}
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
				if err := check(msg, id); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				mine = append(mine, time.Since(t0))
				done.Add(1)
			}
			lat[w] = mine
		}(w)
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(float64(len(all))*p+0.5) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(all) {
			i = len(all) - 1
		}
		return float64(all[i].Microseconds())
	}
	r := result{Name: *name, Proto: map[bool]string{true: "tcp", false: "udp"}[*useTCP], Workers: *c, Answers: len(all),
		Errors: errs.Load(), Timeouts: timeouts.Load(), Seconds: secs, QPS: float64(len(all)) / secs,
		P50us: pct(0.50), P99us: pct(0.99), MaxUs: pct(1)}
	if v, ok := firstErr.Load().(string); ok {
		r.FirstErr = v
	}
	must(json.NewEncoder(os.Stdout).Encode(r))
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	listen := fs.String("listen", "0.0.0.0:53", "UDP address")
	a := fs.String("a", "192.0.2.10", "the A record every name gets")
	must(fs.Parse(args))
	ip := netip.MustParseAddr(*a).As4()
	pc, err := net.ListenPacket("udp", *listen)
	must(err)
	fmt.Printf("{\"listening\":%q}\n", pc.LocalAddr().String())
	buf := make([]byte, 65535)
	out := make([]byte, 0, 512)
	for {
		k, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:k])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		h.Response, h.RecursionAvailable, h.RCode = true, true, dnsmessage.RCodeSuccess
		b := dnsmessage.NewBuilder(out[:0], h)
		must(b.StartQuestions())
		must(b.Question(q))
		must(b.StartAnswers())
		if q.Type == dnsmessage.TypeA {
			must(b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 30}, dnsmessage.AResource{A: ip}))
		}
		msg, err := b.Finish()
		if err == nil {
			_, _ = pc.WriteTo(msg, from)
		}
	}
}
