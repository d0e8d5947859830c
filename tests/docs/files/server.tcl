addNet xor 2 2 1
loadExamples xor.ex
startServer
