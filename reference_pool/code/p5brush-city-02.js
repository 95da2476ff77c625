// A rainy city street in blue-grey watercolour: buildings receding to a vanishing point, glowing shop windows, one red umbrella.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef0ef');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // overcast sky
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#9fb0c2', 200);
  brush.rect(-256, -256, 512, 230);

  // building walls: flat wash first, textured fill on top
  let L1 = [[-256, -256], [-256, 190], [-50, 45], [-50, -50]];
  let L2 = [[-160, -150], [-50, -50], [-50, 45], [-160, 120]];
  let R1 = [[256, -256], [50, -50], [50, 45], [256, 190]];
  let R2 = [[160, -150], [50, -50], [50, 45], [160, 120]];
  brush.noFill();
  brush.wash('#56697f', 230);
  brush.polygon(L1);
  brush.polygon(R1);
  brush.wash('#7b8ca0', 220);
  brush.polygon(L2);
  brush.polygon(R2);
  brush.wash('#a7b5c3', 230);
  brush.rect(-50, -80, 100, 125);
  brush.noWash();
  brush.fillBleed(0.05);
  brush.fillTexture(0.5, 0.5);
  brush.fill('#3f5168', 140);
  brush.polygon(L1);
  brush.polygon(R1);

  // warm shop windows and upper windows
  brush.noFill();
  brush.wash('#f2c46d', 235);
  brush.polygon([[-235, 70], [-180, 55], [-180, 110], [-235, 130]]);
  brush.polygon([[-140, 40], [-100, 28], [-100, 66], [-140, 82]]);
  brush.polygon([[235, 70], [180, 55], [180, 110], [235, 130]]);
  brush.polygon([[140, 40], [100, 28], [100, 66], [140, 82]]);
  brush.wash('#e3e8ee', 200);
  for (let k = 0; k < 3; k++) {
    let y = -150 + k * 55;
    brush.polygon([[-230, y], [-195, y + 12], [-195, y + 40], [-230, y + 30]]);
    brush.polygon([[230, y], [195, y + 12], [195, y + 40], [230, y + 30]]);
  }
  brush.noWash();

  // wet road with reflections
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#5d6f84', 220);
  brush.polygon([[-256, 190], [-50, 45], [50, 45], [256, 190], [256, 256], [-256, 256]]);
  brush.fill('#e8b866', 170);
  brush.polygon([[-215, 160], [-190, 145], [-180, 245], [-210, 256]]);
  brush.polygon([[215, 160], [190, 145], [180, 245], [210, 256]]);

  // figure with a red umbrella and its reflection
  brush.fillBleed(0.08);
  brush.fill('#26303e', 240);
  brush.rect(-20, 100, 16, 58);
  brush.rect(-20, 100, 16, 58);
  brush.fill('#c8392f', 245);
  for (let k = 0; k < 3; k++) brush.polygon([[-58, 100], [-12, 66], [34, 100]]);
  brush.fillBleed(0.2);
  brush.fill('#c8392f', 130);
  brush.rect(-28, 165, 32, 60);

  // ink structure and rain
  brush.set('pen', '#1e2836', 2);
  brush.line(-12, 64, -12, 101);
  brush.line(-256, 190, -50, 45);
  brush.line(256, 190, 50, 45);
  brush.set('2H', '#3e5068', 1.3);
  for (let i = 0; i < 50; i++) {
    let x = random(-256, 256), y = random(-256, 220);
    brush.line(x, y, x - 6, y + 26);
  }
}
