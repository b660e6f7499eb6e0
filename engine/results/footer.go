package results

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	flatbuffers "github.com/google/flatbuffers/go"
)

// checkFooter walks the Arrow file footer (a flatbuffer: Footer{version,
// schema, dictionaries, recordBatches, custom_metadata}, Schema{endianness,
// fields, custom_metadata, features}, Field{name, nullable, type_type, type,
// dictionary, children, custom_metadata}; Arrow format File.fbs/Schema.fbs)
// before arrow-go reads it. arrow-go sizes its slices by the vector lengths it
// finds there, so a corrupted length of 2^31 makes it allocate tens of GiB and
// the process dies with an out-of-memory error that no recover can catch. No
// vector can have more elements than its bytes allow; any that does is a
// corrupted file. Out-of-range offsets in the walk itself panic and are caught
// by Read.
func checkFooter(f *os.File, size int64) error {
	const magic = "ARROW1"
	if size < 2*int64(len(magic))+4 {
		return fmt.Errorf("too short for an Arrow file")
	}
	tail := make([]byte, 10)
	if _, err := f.ReadAt(tail, size-10); err != nil && err != io.EOF {
		return err
	}
	if string(tail[4:]) != magic {
		return fmt.Errorf("no Arrow file magic at the end")
	}
	n := int64(int32(binary.LittleEndian.Uint32(tail[:4])))
	if n <= 4 || n > size-10-8 {
		return fmt.Errorf("footer length %d is impossible in a %d-byte file", n, size)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-10-n); err != nil && err != io.EOF {
		return err
	}
	root := flatbuffers.GetUOffsetT(buf)
	if int(root) >= len(buf) {
		return fmt.Errorf("footer root out of range")
	}
	footer := &flatbuffers.Table{Bytes: buf, Pos: root}
	// dictionaries and recordBatches are vectors of 24-byte Block structs
	for _, slot := range []flatbuffers.VOffsetT{8, 10} {
		if err := checkVector(footer, slot, 24); err != nil {
			return err
		}
	}
	if err := checkVector(footer, 12, 4); err != nil { // custom_metadata
		return err
	}
	if o := footer.Offset(6); o != 0 { // schema
		schema := &flatbuffers.Table{Bytes: buf, Pos: footer.Indirect(footer.Pos + flatbuffers.UOffsetT(o))}
		for _, slot := range []flatbuffers.VOffsetT{6, 8, 10} { // fields, custom_metadata, features
			if err := checkVector(schema, slot, 4); err != nil {
				return err
			}
		}
		return checkFields(schema, 6, 0)
	}
	return nil
}

// checkVector checks the vector in a table's slot (if present) against the
// buffer: length × element size must fit after its start.
func checkVector(t *flatbuffers.Table, slot flatbuffers.VOffsetT, elem int) error {
	o := t.Offset(slot)
	if o == 0 {
		return nil
	}
	at := flatbuffers.UOffsetT(o) // Vector and VectorLen add t.Pos themselves
	start := int(t.Vector(at))
	n := t.VectorLen(at)
	if n < 0 || start > len(t.Bytes) || n > (len(t.Bytes)-start)/elem {
		return fmt.Errorf("footer vector of %d elements does not fit in %d bytes", n, len(t.Bytes))
	}
	return nil
}

// checkFields checks each Field of a fields vector: its children and custom
// metadata vectors, recursively (nesting is bounded).
func checkFields(t *flatbuffers.Table, slot flatbuffers.VOffsetT, depth int) error {
	if depth > 64 {
		return fmt.Errorf("fields nested more than 64 deep")
	}
	o := t.Offset(slot)
	if o == 0 {
		return nil
	}
	at := flatbuffers.UOffsetT(o)
	start, n := t.Vector(at), t.VectorLen(at)
	for i := 0; i < n; i++ {
		elem := start + flatbuffers.UOffsetT(i*4)
		field := &flatbuffers.Table{Bytes: t.Bytes, Pos: t.Indirect(elem)}
		for _, s := range []flatbuffers.VOffsetT{14, 16} { // children, custom_metadata
			if err := checkVector(field, s, 4); err != nil {
				return err
			}
		}
		if err := checkFields(field, 14, depth+1); err != nil {
			return err
		}
	}
	return nil
}
