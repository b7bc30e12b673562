package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/web"
)

// surveyUsage is the usage of cxm survey.
const surveyUsage = `Usage:
  cxm survey qr   --workspace S --survey ID|SLUG [--touchpoint KEY] [--format png|svg] [--size N] --out FILE
  cxm survey link --workspace S --survey ID|SLUG [--touchpoint KEY] [--source link|qr]
Both need --public-url (or CXM_PUBLIC_URL), the address customers reach the server at.`

// runSurvey prints a survey's plain link, or writes its QR code to a file,
// for offline touchpoints such as receipts and signs.
func runSurvey(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || (args[0] != "qr" && args[0] != "link") {
		fmt.Fprintln(m.Stderr, surveyUsage)
		return errUsage
	}
	sub := args[0]
	var cfg config
	var slug, ref, tp, format, out, source string
	var size int
	fs := newFlags("survey "+sub, m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&ref, "survey", "", "survey id or slug (required)")
	fs.StringVar(&tp, "touchpoint", "", "touchpoint key; needed when the survey has several")
	if sub == "qr" {
		fs.StringVar(&format, "format", "png", "png or svg")
		fs.IntVar(&size, "size", web.QRDefaultSize, fmt.Sprintf("image size in pixels, %d-%d", web.QRMinSize, web.QRMaxSize))
		fs.StringVar(&out, "out", "", "file to write (required); - for standard output")
	} else {
		fs.StringVar(&source, "source", cxm.SourceLink, "how the link reaches people: link or qr")
	}
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	base, err := checkSurveyFlags(fs, &cfg, ref, format, out, source, size)
	if err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	sv, err := findSurveyRef(ctx, db, ws, ref)
	if err != nil {
		return err
	}
	if tp, err = web.SurveyTouchpoint(sv, tp); err != nil {
		return flagError(err)
	}
	if sub == "link" {
		fmt.Fprintln(m.Stdout, web.SurveyLink(base, sv.Slug, tp, source))
		return nil
	}
	code, err := web.NewQRCode(web.SurveyLink(base, sv.Slug, tp, cxm.SourceQR))
	if err != nil {
		return err
	}
	var img []byte
	if format == "png" {
		if img, err = code.PNG(size); err != nil {
			return flagError(err)
		}
	} else {
		img = code.SVG(size)
	}
	if out == "-" {
		_, err = m.Stdout.Write(img)
		return err
	}
	if err := os.WriteFile(out, img, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(m.Stderr, "wrote %s (%d bytes) for %s\n", out, len(img), web.SurveyLink(base, sv.Slug, tp, cxm.SourceQR))
	return nil
}

// checkSurveyFlags checks the flags of cxm survey before anything is
// opened and returns the public base URL.
func checkSurveyFlags(fs *flag.FlagSet, cfg *config, ref, format, out, source string, size int) (string, error) {
	var errs cxm.FieldErrors
	if cfg.PublicURL == "" {
		errs.Add("--public-url", "is required (or CXM_PUBLIC_URL): the address customers reach the server at, such as https://feedback.example.com")
	} else if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		errs.Add("--public-url", "must be an http or https address such as https://feedback.example.com")
	}
	if ref == "" {
		errs.Add("--survey", "is required: the survey's id or slug")
	}
	if fs.Lookup("format") != nil {
		if format != "png" && format != "svg" {
			errs.Add("--format", "must be png or svg")
		}
		if size < web.QRMinSize || size > web.QRMaxSize {
			errs.Add("--size", fmt.Sprintf("must be from %d to %d pixels", web.QRMinSize, web.QRMaxSize))
		}
		if out == "" {
			errs.Add("--out", "is required: the file to write, or - for standard output")
		}
	}
	if fs.Lookup("source") != nil && source != cxm.SourceLink && source != cxm.SourceQR {
		errs.Add("--source", "must be link or qr")
	}
	return cfg.PublicURL, errs.Err()
}

// findSurveyRef finds the workspace's survey by id or by slug.
func findSurveyRef(ctx context.Context, db *store.DB, ws *cxm.Workspace, ref string) (*cxm.Survey, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		sv, err := db.FindSurvey(ctx, ws.ID, id)
		if err != nil {
			return nil, fmt.Errorf("survey %s: %w", ref, err)
		}
		return sv, nil
	}
	sv, err := db.FindSurveyBySlug(ctx, ref)
	if err == nil && sv.WorkspaceID != ws.ID {
		err = cxm.NotFound("survey")
	}
	if err != nil {
		return nil, fmt.Errorf("survey %q in workspace %s: %w", ref, ws.Slug, err)
	}
	return sv, nil
}

// flagError renames the fields of a web error to the flags that set them.
func flagError(err error) error {
	fields := cxm.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make([]cxm.FieldError, len(fields))
	for i, f := range fields {
		out[i] = cxm.FieldError{Field: "--" + f.Field, Reason: f.Reason}
	}
	return cxm.Invalid(out...)
}
