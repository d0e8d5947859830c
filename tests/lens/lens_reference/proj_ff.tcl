# connectGroups' FIXED_IN, FIXED_OUT, FAIR and FAN projections: Lens draws which units are linked
# (randSort on random()) and each link's weight as the link is made (drand48), so after the same
# seed pdpsim must make the same links with the same weights (printLinkValues: each link's
# sending and receiving unit, block and place). -mean/-range, FAIR wrapping around its senders,
# FAN wrapping around its receivers; training, resetNet (weights drawn again in Lens's link
# order), saveWeights / loadWeights, test.
source common.tcl
proc pl {fg fu tg tu b l} {
    return "[getObj $fu.name] [getObj $tu.name] $b $l [getObj $tu.incoming($l).weight]\n"
}
proc showLinks {from to} {
    printLinkValues links.txt pl $from $to
    set f [open links.txt]
    foreach line [split [string trim [read $f]] "\n"] { puts "L $line" }
    close $f
}

seed 21
addNet pj
addGroup in 4 INPUT
addGroup a 4
addGroup b 5
addGroup c 3
addGroup out 3 OUTPUT
connectGroups in a -projection FIXED_IN -strength 0.5
connectGroups in b -projection FIXED_OUT -strength 0.6 -mean 0.2 -range 0.5
connectGroups a c -projection FAIR -strength 0.75
connectGroups b c -projection FAN -strength 0.4
connectGroups c out -projection FAIR -strength 0.7
connectGroups b out -projection FAN -strength 1.0
connectGroups a out -projection FIXED_IN -strength 0.34
puts "N [getObj numLinks] [getObj a.numIncoming] [getObj b.numIncoming] [getObj c.numIncoming] [getObj out.numIncoming]"
puts "N [getObj in.unit(0).numOutgoing] [getObj in.unit(3).numOutgoing] [getObj b.unit(4).numOutgoing] [getObj out.unit(2).numIncoming]"
showLinks in {a b}
showLinks {a b} c
showLinks {a b c} out
loadExamples types.ex -s pos
setObj learningRate 0.4
setObj reportInterval 3
train 3 -algorithm steepest
printDeltas
setObj batchSize 2
train 4 -algorithm dougsMomentum
test
puts "T [getObj error]"
saveWeights proj.wt
resetNet
showLinks {a b c} out
test
puts "T [getObj error]"
loadWeights proj.wt
test
puts "T [getObj error]"
printWeights

seed 22
addNet pk
addGroup in 4 INPUT
addGroup hid 6
addGroup out 3 OUTPUT
connectGroups in hid -projection FAIR -strength 1.0
connectGroups hid out -projection FIXED_OUT -strength 0.34
connectGroups in out -projection FAN -strength 0.67
showLinks {in hid} {hid out}
useTrainingSet pos
train 3 -algorithm momentum
printDeltas
test
puts "T [getObj error]"
exit
