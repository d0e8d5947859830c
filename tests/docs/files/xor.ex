# exclusive or
name: x00
I: 0 0  T: 0;
name: x01
I: 0 1  T: 1;
name: x10
I: 1 0  T: 1;
name: x11
I: 1 1  T: 0;
