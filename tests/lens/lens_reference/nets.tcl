# The networks of the reference scripts (Lens commands only).

proc buildXorSSE {} {
    addNet xorSSE 2 2 1 SUM_SQUARED
}

proc buildEnc4 {} {
    addNet enc4
    addGroup in 4 INPUT
    addGroup hid 3
    addGroup out 4 OUTPUT
    connectGroups in hid out
}

proc buildXorTanh {} {
    addNet xorTanh
    addGroup input 2 INPUT
    addGroup hidden 3 TANH
    addGroup output 1 OUTPUT
    connectGroups input hidden output
    connectGroups input output
}

proc buildEnc8 {} {
    addNet enc8 8 3 8 SUM_SQUARED
}

proc buildCls {} {
    addNet cls
    addGroup input 4 INPUT
    addGroup hidden 5
    addGroup output 3 OUTPUT SOFT_MAX MAX_CRIT
    connectGroups input hidden output
}

proc buildReg {} {
    addNet reg
    addGroup input 3 INPUT
    addGroup hidden 4 TANH
    addGroup output 2 OUTPUT LINEAR
    connectGroups input hidden -range 0.5
    connectGroups hidden output
}

# the CONTINUOUS attractor of ct_attractor.tcl and ct_train.tcl
proc buildCt {} {
    addNet ct -i 4 -t 3 CONTINUOUS
    addGroup in 3 INPUT
    addGroup hid 4
    addGroup out 3 OUTPUT
    connectGroups in hid
    connectGroups hid hid
    connectGroups hid out -bidirectional
}
