# regression with two linear outputs; '-' = no target
name: r0  I: 0.43 -0.58 0.66  T: 0.995 0.384;
name: r1  I: 0.15 -0.43 -0.87  T: 0.705 -;
name: r2  I: 0.71 0.98 -0.82  T: -0.425 -0.482;
name: r3  I: 0.6 -0.18 -0.7  T: 0.68 -0.32;
name: r4  I: -0.41 0.54 0.75  T: -0.545 -;
name: r5  I: -0.91 0.23 -0.91  T: -0.485 0.928;
