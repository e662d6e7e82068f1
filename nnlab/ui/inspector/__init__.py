"""The neuron inspector, the backprop step-debugger and the lessons, in one dock."""
