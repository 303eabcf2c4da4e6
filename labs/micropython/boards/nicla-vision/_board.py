# Facts about the Arduino Nicla Vision (STM32H747, OpenMV firmware) the mocks report.
NAME = "nicla-vision"
FREQ = 480000000
OPENMV = True  # time.clock(), machine.LED and the camera modules exist
ANY_PIN_NAME = True  # STM32 pins go by names such as "PA9"
PINS = {}
LEDS = ("LED_RED", "LED_GREEN", "LED_BLUE")  # also pyb.LED(1), (2), (3)
I2C_DEVICES = (0x29, 0x6A)  # VL53L1X distance sensor, LSM6DSOX motion sensor
ADC = {}  # channel -> (mid-scale, amplitude) of the simulated signal; default otherwise
UNIQUE_ID = b"\x4e\x56\x00\x00\x00\x00\x00\x01"
