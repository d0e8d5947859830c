addNet net
addGroup input 2 INPUT
addGroup h1 3
addGroup h2 3 OUT_INTEGR
