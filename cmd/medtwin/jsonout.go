package main

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"unicode"
)

// jsonValue turns v into plain JSON values (maps, slices, numbers, strings)
// with the one key style of every --json output: a struct field is written
// under its json tag when it has one, otherwise under its Go name in
// snake_case (HalfWidth → half_width, KPIs → kpis, ScenarioSHA256 →
// scenario_sha256). Map keys are data (KPI and parameter names) and are kept
// as they are. NaN and ±Inf become null: JSON has neither.
func jsonValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.Type().Implements(reflect.TypeOf((*json.Marshaler)(nil)).Elem()) {
		return marshalled(v)
	}
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.Kind() != reflect.String &&
		v.Type().Implements(reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()) {
		return marshalled(v)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonValue(v.Elem())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, omit := snakeCase(f.Name), false
			if tag, ok := f.Tag.Lookup("json"); ok {
				parts := strings.Split(tag, ",")
				if parts[0] == "-" {
					continue
				}
				if parts[0] != "" {
					name = parts[0]
				}
				for _, o := range parts[1:] {
					omit = omit || o == "omitempty"
				}
			}
			fv := v.Field(i)
			if omit && fv.IsZero() {
				continue
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				if m, ok := jsonValue(fv).(map[string]any); ok {
					for k, x := range m {
						out[k] = x
					}
					continue
				}
			}
			out[name] = jsonValue(fv)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			k, _ := json.Marshal(iter.Key().Interface())
			key := strings.Trim(string(k), `"`)
			if iter.Key().Kind() == reflect.String {
				key = iter.Key().String()
			}
			out[key] = jsonValue(iter.Value())
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return []any{}
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonValue(v.Index(i))
		}
		return out
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return nil
	}
	return v.Interface()
}

func marshalled(v reflect.Value) any {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

// snakeCase writes a Go identifier in snake_case: a word starts at an upper
// case letter after a lower case letter or digit, and at the last capital of
// an acronym followed by a lower case word (HTTPServer → http_server). An
// acronym's plural stays one word (KPIs → kpis).
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			plural := nextLower && r[i+1] == 's' && (i+2 == len(r) || unicode.IsUpper(r[i+2]))
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
