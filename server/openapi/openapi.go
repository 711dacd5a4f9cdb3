// Package openapi owns the service's OpenAPI 3.0 document: it merges the per-area fragments
// in spec/*.yaml, validates the result, serves it at /openapi.json, checks it against the
// registered routes, and validates answers against it in tests.
//
// Fragments are split by area so engineers don't edit one big file at once. base.yaml holds
// the metadata, security schemes and shared components; every other fragment may only add
// paths, components and tags, and nothing may be defined twice. The document is the contract
// clients code against: a route must not exist without an entry, nor an entry without a route.
package openapi

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/goccy/go-yaml"

	"github.com/sharecast/sharecast/server/httperr"
)

//go:embed spec/*.yaml
var specFiles embed.FS

// baseFragment is the one fragment allowed to hold document-level fields.
const baseFragment = "base.yaml"

// fragmentKeys are the top-level keys an area fragment may hold. Everything else (openapi,
// info, servers, security, externalDocs) is document-wide and lives in base.yaml only, so
// one area cannot silently change another's security or servers.
var fragmentKeys = map[string]bool{"paths": true, "components": true, "tags": true}

// operationKeys are the path-item keys that hold operations (OpenAPI 3.0).
var operationKeys = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// Load merges the embedded fragments, resolves references and validates the document.
func Load() (*openapi3.T, error) {
	sub, err := fs.Sub(specFiles, "spec")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS is Load over the *.yaml files at the root of fsys, which must include base.yaml.
func LoadFS(fsys fs.FS) (*openapi3.T, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(names, baseFragment) {
		return nil, fmt.Errorf("openapi: %s is missing (have %v)", baseFragment, names)
	}
	doc, invalid, err := build(fsys, names)
	if err != nil {
		return nil, err
	}
	if invalid != nil {
		return nil, fmt.Errorf("openapi: invalid document: %w%s", invalid, blame(fsys, names))
	}
	return doc, nil
}

// build merges the named fragments and loads the result. A merge or reference error is err;
// a document that loads but breaks the OpenAPI rules is invalid, so blame can tell them apart.
func build(fsys fs.FS, names []string) (doc *openapi3.T, invalid, err error) {
	merged, err := mergeFS(fsys, names)
	if err != nil {
		return nil, nil, err
	}
	data, err := json.Marshal(merged)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: encode merged document: %w", err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false // one self-contained document, nothing fetched
	doc, err = loader.LoadFromData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: load merged document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err, nil
	}
	return doc, nil, nil
}

// blame names the fragments that are invalid on their own (with base.yaml), because the
// validator's message names a path but not the file, and fragments have different owners.
// It only runs on the failure path, so loading each fragment again costs nothing in service.
func blame(fsys fs.FS, names []string) string {
	var culprits []string
	for _, name := range names {
		if name == baseFragment {
			continue
		}
		if _, invalid, _ := build(fsys, []string{baseFragment, name}); invalid != nil {
			culprits = append(culprits, name)
		}
	}
	if len(culprits) == 0 {
		return ""
	}
	return fmt.Sprintf("\n(invalid on its own with %s: %s)", baseFragment, strings.Join(culprits, ", "))
}

var cachedJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	return doc.MarshalJSON()
})

// JSON returns the merged document as JSON. It is built once per process: the fragments are
// embedded, so the answer cannot change while we run.
func JSON() ([]byte, error) { return cachedJSON() }

// Handler serves the document (GET /openapi.json).
func Handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		b, err := JSON()
		if err != nil {
			// Unreachable once the tests pass (they load the same embedded files), but if it
			// happens the caller gets a 500 and the log gets the reason.
			httperr.Write(c, fmt.Errorf("serve openapi.json: %w", err))
			return
		}
		c.Data(http.StatusOK, "application/json", b)
	}
}

// owners remembers which fragment defined what, to name both files in a duplicate error.
type owners map[string]string

func (o owners) claim(what, file string) error {
	if prev, ok := o[what]; ok {
		return fmt.Errorf("%s is defined in both %s and %s", what, prev, file)
	}
	o[what] = file
	return nil
}

// mergeFS reads the named fragments and merges them into base.yaml's tree, reporting every
// duplicate and misplaced key at once so a fragment author fixes them in one pass.
func mergeFS(fsys fs.FS, names []string) (map[string]any, error) {
	// base first, so document-level fields come from it and duplicates name it first.
	ordered := []string{baseFragment}
	for _, n := range slices.Sorted(slices.Values(names)) {
		if n != baseFragment {
			ordered = append(ordered, n)
		}
	}

	merged := map[string]any{}
	own := owners{}
	var errs []error
	for _, name := range ordered {
		frag, err := readFragment(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if name != baseFragment {
			for _, k := range sortedKeys(frag) {
				if !fragmentKeys[k] {
					errs = append(errs, fmt.Errorf("%s: top-level key %q belongs in %s; area fragments hold only paths, components and tags", name, k, baseFragment))
					delete(frag, k)
				}
			}
		}
		errs = append(errs, mergeFragment(merged, frag, name, own)...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi: cannot merge spec fragments:\n%w", errors.Join(errs...))
	}
	child(merged, "paths") // OpenAPI 3.0 requires the key even before any area adds a path
	return merged, nil
}

func readFragment(fsys fs.FS, name string) (map[string]any, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if raw == nil {
		return map[string]any{}, nil // an empty fragment adds nothing
	}
	frag, ok := normalize(raw).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: top level must be a mapping", name)
	}
	return frag, nil
}

func mergeFragment(dst, frag map[string]any, file string, own owners) []error {
	var errs []error
	for _, key := range sortedKeys(frag) {
		val := frag[key]
		switch key {
		case "paths":
			errs = append(errs, mergePaths(dst, val, file, own)...)
		case "components":
			errs = append(errs, mergeComponents(dst, val, file, own)...)
		case "tags":
			errs = append(errs, mergeTags(dst, val, file, own)...)
		default:
			if err := own.claim(key, file); err != nil {
				errs = append(errs, err)
				continue
			}
			dst[key] = val
		}
	}
	return errs
}

func mergePaths(dst map[string]any, val any, file string, own owners) []error {
	paths, ok := val.(map[string]any)
	if !ok {
		return []error{fmt.Errorf("%s: paths must be a mapping", file)}
	}
	all := child(dst, "paths")
	var errs []error
	for _, path := range sortedKeys(paths) {
		item, ok := paths[path].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: paths.%s must be a mapping", file, path))
			continue
		}
		into := child(all, path)
		for _, k := range sortedKeys(item) {
			if operationKeys[k] {
				if err := own.claim(strings.ToUpper(k)+" "+path, file); err != nil {
					errs = append(errs, err)
					continue
				}
				into[k] = item[k]
				continue
			}
			// Path-level fields (parameters, summary, …) may be repeated by two fragments
			// that split one path's methods, as long as they agree.
			if prev, ok := into[k]; ok && !reflect.DeepEqual(prev, item[k]) {
				errs = append(errs, fmt.Errorf("paths.%s.%s differs between %s and %s", path, k, own["path:"+path+"."+k], file))
				continue
			}
			if _, ok := own["path:"+path+"."+k]; !ok {
				own["path:"+path+"."+k] = file
			}
			into[k] = item[k]
		}
	}
	return errs
}

func mergeComponents(dst map[string]any, val any, file string, own owners) []error {
	comps, ok := val.(map[string]any)
	if !ok {
		return []error{fmt.Errorf("%s: components must be a mapping", file)}
	}
	all := child(dst, "components")
	var errs []error
	for _, section := range sortedKeys(comps) {
		entries, ok := comps[section].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: components.%s must be a mapping", file, section))
			continue
		}
		into := child(all, section)
		for _, name := range sortedKeys(entries) {
			if err := own.claim("components."+section+"."+name, file); err != nil {
				errs = append(errs, err)
				continue
			}
			into[name] = entries[name]
		}
	}
	return errs
}

func mergeTags(dst map[string]any, val any, file string, own owners) []error {
	tags, ok := val.([]any)
	if !ok {
		return []error{fmt.Errorf("%s: tags must be a list", file)}
	}
	all, _ := dst["tags"].([]any)
	var errs []error
	for _, t := range tags {
		tag, ok := t.(map[string]any)
		name, _ := tag["name"].(string)
		if !ok || name == "" {
			errs = append(errs, fmt.Errorf("%s: every tag needs a name", file))
			continue
		}
		if err := own.claim("tag "+name, file); err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, tag)
	}
	dst["tags"] = all
	return errs
}

// child returns m[key] as a mapping, creating it when absent.
func child(m map[string]any, key string) map[string]any {
	if c, ok := m[key].(map[string]any); ok {
		return c
	}
	c := map[string]any{}
	m[key] = c
	return c
}

// normalize turns YAML mappings into map[string]any all the way down: unquoted status codes
// (200:) decode as integer keys, and JSON needs string keys.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	default:
		return v
	}
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
