# docs/lens.md, docs/from-lens.md: a Lens script that takes arguments (pdpsim lens train.tcl ARG1 ARG2)
puts "arguments: $argv"
addNet xor 2 2 1
loadExamples xor.ex
setObj learningRate 0.5
setObj momentum 0.9
train 500 -algorithm momentum
test
