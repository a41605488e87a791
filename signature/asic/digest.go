package asic

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/sigintake/sigintake/signature/algo"
)

var errDigest = errors.New("asic: digest mismatch")

func checkDigest(method, value string, data []byte) error {
	h, err := algo.HashFromXMLURI(method)
	if err != nil {
		return err
	}
	want, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(value), ""))
	if err != nil {
		return err
	}
	hh := h.New()
	hh.Write(data)
	if !bytes.Equal(hh.Sum(nil), want) {
		return errDigest
	}
	return nil
}
