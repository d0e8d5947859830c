# Files Lens writes: printUnitValues and printLinkValues (a network with cut links and a
# lesioned unit), openNetOutputFile (text and binary; training, test, doExample; a hidden
# group with WRITE_OUTPUTS; a simple recurrent network), saveExamples (text, -append, -binary).
source common.tcl
source nets.tcl

proc pu {g u} { return "[getObj $u.name] [getObj $g.name] [getObj $u.output] [getObj $u.input]\n" }
proc pl {fg fu tg tu b l} {
    return "[getObj $fg.name] [getObj $fu.name] [getObj $tg.name] [getObj $tu.name] $b $l [getObj $tu.incoming($l).weight]\n"
}

buildEnc8
loadWeights enc8.init.wt
loadExamples enc8.ex -s data
seed 8
lesionLinks hidden -proportion 0.3
lesionLinks output -proportion 0.2 -type hidden
lesionUnits {hidden:1}
doExample 3
puts "PU-BEGIN"
printUnitValues written_units.txt pu {hidden output}
puts "PU-END"
printLinkValues written_links.txt pl {input bias} {hidden output}
printLinkValues written_links.txt pl hidden output -append -type hidden
setObj batchSize 3
setObj learningRate 0.3
openNetOutputFile written_net.txt
test
train 2
doExample 1
closeNetOutputFile
openNetOutputFile written_net.bin -binary
test 4
closeNetOutputFile

addNet enc4
addGroup in 4 INPUT
addGroup hid 3 WRITE_OUTPUTS
addGroup out 4 OUTPUT
connectGroups in hid out
loadWeights enc4.init.wt
loadExamples enc4.ex -s e4
openNetOutputFile written_enc4.txt
test
closeNetOutputFile

addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
loadWeights srn_start.wt
loadExamples srn.ex -s seqs
openNetOutputFile written_srn.txt
test
train 1
closeNetOutputFile

buildXorSSE
loadExamples xor.ex -s xor
saveExamples xor written_xor.ex
saveExamples xor written_xor.ex -append
saveExamples seqs written_srn.ex
saveExamples seqs written_srn.bex -binary
buildCt
loadExamples ct.ex -s ct
saveExamples ct written_ct.ex
saveExamples ct written_ct.bex -binary
buildCls
loadExamples cls.ex -s cls
saveExamples cls written_cls.ex
puts done
exit
