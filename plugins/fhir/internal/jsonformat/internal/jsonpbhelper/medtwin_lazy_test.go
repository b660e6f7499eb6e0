package jsonpbhelper

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	r4pb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// TestTablesBuiltOnFirstUse: linking the package builds nothing (upstream's
// init() built every table at program start: about 60 ms and 16 MB for every
// medtwin command); Init builds them, once. The expected required field is the
// FHIR R4 specification's: Bundle.type has cardinality 1..1
// (https://hl7.org/fhir/R4/bundle.html).
func TestTablesBuiltOnFirstUse(t *testing.T) {
	if requiredFields != nil || RegexValues != nil || DateCompiledRegex != nil || len(referenceTypeToField) != 0 {
		t.Fatal("the tables were built before Init")
	}
	Init()
	bundle := (&r4pb.Bundle{}).ProtoReflect().Descriptor()
	typ := bundle.Fields().ByName("type").Number()
	found := false
	for _, n := range requiredFields[bundle.FullName()] {
		found = found || n == typ
	}
	if !found {
		t.Fatalf("Bundle.type not required after Init: %v", requiredFields[bundle.FullName()])
	}
	if !DateCompiledRegex.MatchString("2026-11-30") || DateCompiledRegex.MatchString("2026-13-01") {
		t.Fatal("DateCompiledRegex")
	}
	if referenceTypeToField["Patient"] == protoreflect.Name("") {
		t.Fatal("no reference field for Patient")
	}
	n := len(requiredFields)
	Init()
	if len(requiredFields) != n {
		t.Fatal("Init built the tables twice")
	}
}
