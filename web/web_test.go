package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestSmoke(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.login(t, "clerk1")
	body := c.get("/review", 200)
	if !strings.Contains(body, "Pārbaudes rinda") {
		t.Fatalf("%.2000s", body)
	}
	body = c.get(fmt.Sprintf("/letters/%d", f.review[0]), 200)
	if strings.Contains(body, "<script>alert") || strings.Contains(body, `<img src="http://tracker`) {
		t.Fatal("hostile HTML rendered")
	}
	_ = http.StatusOK
}
