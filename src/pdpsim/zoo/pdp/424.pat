one   1 0 0 0  1 0 0 0
two   0 1 0 0  0 1 0 0
three 0 0 1 0  0 0 1 0
four  0 0 0 1  0 0 0 1
