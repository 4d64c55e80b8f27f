package settings

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Number is a whole number or a duration, between Min and Max.
type Number[T int | int64 | time.Duration] struct {
	Flag, Env string
	Value     *T
	Default   T
	// Min is the least value allowed: 0 or more (Positive, for a duration
	// that must be more than zero). Max, when not 0, is the most.
	Min, Max T
	Usage    string
	// DefaultText, when set, is said in place of Default.
	DefaultText string
}

// The kinds of Number.
type (
	Int      = Number[int]
	Int64    = Number[int64]
	Duration = Number[time.Duration]
)

// Positive, as a Duration's Min, allows any duration above zero.
const Positive = time.Nanosecond

func (n Number[T]) About() About {
	a := About{Flag: n.Flag, Env: n.Env, Usage: n.Usage, Type: "int", Default: format(n.Default), DefaultText: n.DefaultText,
		Range: n.rangeText(), Refused: []string{format(n.Min - 1)}}
	if isDuration[T]() {
		a.Type = "duration"
	}
	if n.Max != 0 {
		a.Refused = append(a.Refused, format(n.Max+1))
	}
	return a
}

func (n Number[T]) set(text string) error {
	if isDuration[T]() {
		d, err := time.ParseDuration(text)
		if err != nil {
			return errors.New("not a duration, such as 300ms or 1m30s")
		}
		*n.Value = T(d)
		return nil
	}
	bits := 64
	if _, ok := any(n.Default).(int); ok {
		bits = strconv.IntSize
	}
	v, err := strconv.ParseInt(text, 0, bits)
	if errors.Is(err, strconv.ErrRange) {
		return errors.New("out of range")
	}
	if err != nil {
		return errors.New("not a whole number")
	}
	*n.Value = T(v)
	return nil
}

func (n Number[T]) value() string { return format(*n.Value) }
func (n Number[T]) reset()        { *n.Value = n.Default }
func (n Number[T]) bound() bool   { return n.Value != nil }

func (n Number[T]) fill() {
	if v := *n.Value; v <= 0 && n.outside(v) {
		*n.Value = n.Default
	}
}

func (n Number[T]) outside(v T) bool { return v < n.Min || (n.Max != 0 && v > n.Max) }

func (n Number[T]) check() error {
	if !n.outside(*n.Value) {
		return nil
	}
	switch {
	case n.Max != 0:
		return fmt.Errorf("-%s must be between %s and %s", n.Flag, format(n.Min), format(n.Max))
	case n.Min == 0:
		return fmt.Errorf("-%s must not be negative", n.Flag)
	case isDuration[T]() && n.Min == T(Positive):
		return fmt.Errorf("-%s must be positive", n.Flag)
	}
	return fmt.Errorf("-%s must be at least %s", n.Flag, format(n.Min))
}

func (n Number[T]) rangeText() string {
	switch {
	case n.Max != 0:
		return format(n.Min) + "–" + format(n.Max)
	case isDuration[T]() && n.Min == T(Positive):
		return "> 0"
	}
	return "≥ " + format(n.Min)
}

func format[T int | int64 | time.Duration](v T) string {
	if d, ok := any(v).(time.Duration); ok {
		return d.String()
	}
	return strconv.FormatInt(int64(v), 10)
}

func isDuration[T int | int64 | time.Duration]() bool {
	_, ok := any(T(0)).(time.Duration)
	return ok
}
