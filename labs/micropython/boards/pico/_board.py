# Facts about the Raspberry Pi Pico (RP2040) the mocks report.
NAME = "pico"
FREQ = 125000000
OPENMV = False
ANY_PIN_NAME = False
PINS = {"LED": 25}  # Pin("LED") is the on-board LED
LEDS = ()
I2C_DEVICES = ()  # nothing on the bare board's I2C buses
ADC = {4: (14022, 60)}  # ADC(4), the on-chip thermometer: about 0.706 V, i.e. about 27 C
UNIQUE_ID = b"\xe6\x60\x58\x38\x83\x00\x00\x01"
