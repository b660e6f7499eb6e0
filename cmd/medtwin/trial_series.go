package main

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
)

// trialSeriesColumns is the schema of a trial's timeseries.arrow: one row per
// subject, arm and time, in hours as the spec is, with the arm and the variable
// in columns of their own (the variable names its unit). Rows are in subject,
// then arm, then time order.
var trialSeriesColumns = []results.Column{
	{Name: "subject", Type: arrow.PrimitiveTypes.Int64, Doc: "subject index, as in subjects.arrow"},
	{Name: "arm", Type: arrow.BinaryTypes.String, Doc: "arm name"},
	{Name: "variable", Type: arrow.BinaryTypes.String, Doc: "what is measured, unit in the name: conc_mg_l (central concentration)"},
	{Name: "time_h", Type: arrow.PrimitiveTypes.Float64, Doc: "hours from time 0 of the spec, the clock of its doses and sampling times"},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64, Doc: "the variable's value (no residual error)"},
}

// trialSeriesVariable is the variable of a trial's time series: the model's
// central concentration.
const trialSeriesVariable = "conc_mg_l"
